using Registry.ServiceDefaults.Validation;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Registry.Protos.Audit.V1;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// Hands a refusal the gateway decided (a forwarded call it would not forward, or one of its own reads)
/// to the audit of the service that owns the data: the method's service, intake for the gateway's own
/// methods. The caller's token goes along unchanged (<see cref="CallerTokenForwarding"/>), so the service
/// records the identity it verifies itself. Bounded by <see cref="BackendOptions.ForwardedCallTimeout"/>.
/// </summary>
public sealed class RefusalReporter(GrpcClientFactory clients, BackendOptions backends) : IAccessRefusalReporter
{
    public async Task ReportAsync(HttpContext http, string method, StatusCode status, string reason, IReadOnlyList<Guid> caseIds, CancellationToken cancellationToken)
    {
        var name = method.TrimStart('/');
        var owner = AccessAuditNames.PackageOf(name) switch
        {
            "registry.custody.v1" => "custody",
            "registry.medical.v1" => "medical",
            _ => "intake",
        };
        var request = new ReportRefusalRequest
        {
            Method = name,
            StatusCode = AccessControlInterceptor.Code(status),
            Reason = TextRules.Cut(reason, AccessAuditModel.ReasonLength),
            CaseIds = { caseIds.Select(id => id.ToString()) },
        };
        await clients.CreateClient<AccessAuditService.AccessAuditServiceClient>(owner)
            .ReportRefusalAsync(request, deadline: DateTime.UtcNow + backends.ForwardedCallTimeout, cancellationToken: cancellationToken);
    }
}
