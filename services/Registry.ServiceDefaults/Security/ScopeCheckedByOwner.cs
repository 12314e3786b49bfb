namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Endpoint metadata of a call this process only passes on to the service that owns its data (the gateway's
/// HTTP/JSON face of intake, custody and medical). On such an endpoint <see cref="AccessControlInterceptor"/> checks
/// the caller and the role and leaves the scope (own agency, shared cases) to the owning service, which checks it
/// against its own records with the caller's token, as for a call forwarded over gRPC. Metadata of the endpoint,
/// not a setting of the process: in the embedded host the services' own endpoints share the process and keep
/// their scope check.
/// </summary>
public sealed class ScopeCheckedByOwner
{
    public static readonly ScopeCheckedByOwner Instance = new();

    private ScopeCheckedByOwner()
    {
    }
}
