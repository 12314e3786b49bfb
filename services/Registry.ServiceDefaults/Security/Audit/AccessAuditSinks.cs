using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>Endpoint metadata: the package of the module whose audit an endpoint's calls go to (the audit service's endpoints carry it).</summary>
public sealed record AccessAuditOwner(string Package);

/// <summary>
/// Which module's audit records a call, in a host running one service or all three (the embedded mode, one DI
/// container): by the endpoint's <see cref="AccessAuditOwner"/> when it has one (registry.audit.v1 is served by each
/// module on its own port), else by the method's package. The gateway's own methods (registry.gateway.v1) have no
/// store: they go to intake's audit when intake is in the same host, else nowhere (null).
/// </summary>
public sealed class AccessAuditSinks(IEnumerable<IAccessAuditSink> sinks)
{
    private readonly Dictionary<string, IAccessAuditSink> _byPackage = sinks.ToDictionary(s => s.Package, StringComparer.Ordinal);

    /// <summary>Every sink of this host.</summary>
    public IReadOnlyCollection<IAccessAuditSink> All => _byPackage.Values;

    /// <summary>The sink of the module that owns <paramref name="package"/> (e.g. <c>registry.intake.v1</c>), or null.</summary>
    public IAccessAuditSink? ForPackage(string package) => _byPackage.GetValueOrDefault(package);

    /// <summary>
    /// By method, e.g. <c>/registry.intake.v1.IntakeService/GetCase</c> → intake's sink; a gateway method → intake's
    /// sink or null; registry.audit.v1 → the only sink when there is one, else null (use <see cref="For(ServerCallContext)"/>).
    /// </summary>
    public IAccessAuditSink? For(string method)
    {
        var package = AccessAuditNames.PackageOf(method);
        return package switch
        {
            null => null,
            AccessAuditNames.GatewayPackage => ForPackage("registry.intake.v1"),
            AccessAuditNames.AuditPackage => _byPackage.Count == 1 ? _byPackage.Values.Single() : null,
            _ => ForPackage(package),
        };
    }

    /// <summary>By the call's endpoint first (its <see cref="AccessAuditOwner"/>), else by <see cref="ServerCallContext.Method"/>.</summary>
    public IAccessAuditSink? For(ServerCallContext context) =>
        context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<AccessAuditOwner>() is { } owner
            ? ForPackage(owner.Package)
            : For(context.Method);
}
