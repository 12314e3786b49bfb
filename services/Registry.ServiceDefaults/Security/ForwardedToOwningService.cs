namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Endpoint metadata of a call this process only passes on to the service that owns its data (the gateway's
/// HTTP/JSON face of intake, custody and medical), which answers it with all its own checks. On such an endpoint:
/// <list type="bullet">
/// <item><see cref="AccessControlInterceptor"/> checks the caller and the role, and leaves the scope (own agency, shared
/// cases) to the owning service, which checks it against its own records with the caller's token, as for a call
/// forwarded over gRPC;</item>
/// <item>the audit records here only a refusal decided here (reported to the owning service, as the proxy's refusals
/// are); what the owning service answers, it audits itself, so nothing is recorded twice;</item>
/// <item><see cref="Grpc.CallLimitsInterceptor"/> bounds the call's time but takes no bulk-call slot: the owning service
/// does, and one process holding two slots for one call (the embedded host) could wait on itself.</item>
/// </list>
/// Metadata of the endpoint, not a setting of the process: in the embedded host the services' own endpoints share the
/// process and keep every check.
/// </summary>
public sealed class ForwardedToOwningService
{
    public static readonly ForwardedToOwningService Instance = new();

    private ForwardedToOwningService()
    {
    }

    /// <summary>Whether the call's endpoint carries this metadata.</summary>
    public static bool Marks(Microsoft.AspNetCore.Http.HttpContext http) =>
        Microsoft.AspNetCore.Http.EndpointHttpContextExtensions.GetEndpoint(http)?.Metadata.GetMetadata<ForwardedToOwningService>() is not null;
}
