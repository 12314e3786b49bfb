namespace Registry.ServiceDefaults.Hosting;

/// <summary>
/// The process's name in the registry, as <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/> was given it: intake,
/// custody, medical, identity, gateway, or registry for the embedded host. The public names of the parts (README), so a
/// message to a caller may say whose rule it met.
/// </summary>
public sealed record RegistryServiceName(string Value)
{
    public override string ToString() => Value;
}
