namespace Registry.Gateway;

/// <summary>
/// Where the owning services listen (configuration section <c>Services</c>): the gRPC address of
/// each, e.g. <c>Services:Intake = http://127.0.0.1:5101</c>.
/// </summary>
public sealed class BackendOptions
{
    public const string Section = "Services";

    public required Uri Intake { get; init; }
    public required Uri Custody { get; init; }
    public required Uri Medical { get; init; }

    /// <summary>How long the case file waits for each part before marking it unavailable.</summary>
    public TimeSpan CaseFilePartTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The deadline a forwarded unary call gets when its caller set none (the service answers
    /// DEADLINE_EXCEEDED after it). A caller's own deadline is kept.
    /// </summary>
    public TimeSpan ForwardedCallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static BackendOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return new BackendOptions
        {
            Intake = Required(section, nameof(Intake)),
            Custody = Required(section, nameof(Custody)),
            Medical = Required(section, nameof(Medical)),
            CaseFilePartTimeout = section.GetValue(nameof(CaseFilePartTimeout), TimeSpan.FromSeconds(2)),
            ForwardedCallTimeout = section.GetValue(nameof(ForwardedCallTimeout), TimeSpan.FromSeconds(30)),
        };
    }

    private static Uri Required(IConfigurationSection section, string name) =>
        Uri.TryCreate(section[name], UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException($"{Section}:{name} must be the service's gRPC address, e.g. http://127.0.0.1:5101.");
}
