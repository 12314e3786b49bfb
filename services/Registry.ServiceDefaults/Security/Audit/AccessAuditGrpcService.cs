using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Protos.Audit.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>
/// registry.audit.v1.AccessAuditService of one service, answering from that service's own store
/// (<typeparamref name="TDb"/>) and writing through that service's own writer: in a host composing several modules,
/// each port's instance is a different closed type, so nothing is resolved by "last registration wins".
/// </summary>
public sealed class AccessAuditGrpcService<TDb>(
    TDb db, AccessAuditWriter<TDb> writer, IAccessCallerIdentity callers, AccessPolicy policy, TimeProvider clock)
    : AccessAuditService.AccessAuditServiceBase
    where TDb : DbContext, IAccessAuditStore
{
    /// <summary>The refusals the gateway decides and reports: no valid token, or a role the access table denies.</summary>
    private static readonly HashSet<string> RefusalCodes = new(StringComparer.Ordinal) { "UNAUTHENTICATED", "PERMISSION_DENIED" };

    /// <summary>At most this many case ids in one report (a refused request names a few).</summary>
    public const int MaxReportedCases = 20;

    public override async Task<ListAccessEventsResponse> ListAccessEvents(ListAccessEventsRequest request, ServerCallContext context)
    {
        var (query, page) = AccessEventQuery.Validate(request.CaseId, request.Agency, request.From, request.To, request.PageSize, request.PageToken);
        var found = await query.PageAsync(db, page, context.CancellationToken);
        var response = new ListAccessEventsResponse { NextPageToken = found.NextPageToken };
        response.Events.AddRange(found.Items.Select(ToProto));
        return response;
    }

    /// <summary>
    /// Records a refusal the gateway decided. The identity stored is the one this service verified for this call
    /// (<see cref="IAccessCallerIdentity"/>), and the refusal is one this service verifies: UNAUTHENTICATED only when
    /// it refuses the call's own credentials too (with its own reason), PERMISSION_DENIED only when the access table
    /// denies the caller's roles the method; method, case ids and (for PERMISSION_DENIED) the reason come from the request.
    /// </summary>
    public override async Task<ReportRefusalResponse> ReportRefusal(ReportRefusalRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var method = errors.Text("method", request.Method, 200, required: true);
        if (method is not null && !AccessAuditNames.IsMethodName(method))
        {
            errors.Add("method", "must be a gRPC method name, e.g. registry.intake.v1.IntakeService/GetCase");
        }

        var code = errors.Text("status_code", request.StatusCode, 50, required: true);
        if (code is not null && !RefusalCodes.Contains(code))
        {
            errors.Add("status_code", "must be UNAUTHENTICATED or PERMISSION_DENIED: the refusals the gateway decides");
        }

        var row = method is null ? null : AccessTable.Default.Find(method);
        if (method is not null && AccessAuditNames.IsMethodName(method) && row is null)
        {
            errors.Add("method", "must be an RPC of the access table");
        }

        // A service records refusals of its own methods and of the gateway's; not those of another service's data.
        if (method is not null && OwnedByAnotherService(method, writer.Service))
        {
            errors.Add("method", $"must be an RPC of {writer.Service} or of the gateway: the service that owns the data records its refusals");
        }

        if (request.CaseIds.Count > MaxReportedCases)
        {
            errors.Add("case_ids", $"must name at most {MaxReportedCases} cases");
        }

        var reason = errors.Text("reason", request.Reason, AccessAuditModel.ReasonLength, required: false);
        var caseIds = request.CaseIds.Select((id, i) => errors.Uuid($"case_ids[{i}]", id, required: true)).ToList();
        errors.ThrowIfAny();

        // The report is open (a refused caller may have no valid token), so it records only what this service
        // verifies: the caller it authenticated itself, and, for PERMISSION_DENIED, that the access table really
        // denies that caller's roles the method. Anyone can thus record only refusals of itself that are true.
        var caller = callers.Of(context);
        if (code == "UNAUTHENTICATED")
        {
            // Only a call that is itself unauthenticated reports one, and the reason stored is this service's own
            // verdict on the credentials the call carries (the gateway passes the caller's on), never the request's
            // text: an anonymous report can record only "a call without a valid token was refused", which is true.
            var decision = await policy.DecideAsync(context.GetHttpContext(), method!);
            if (decision.Status != StatusCode.Unauthenticated)
            {
                throw RpcErrors.FailedPrecondition("REFUSAL_NOT_VERIFIED", "registry.audit.v1.AccessEvent", method!,
                    "An UNAUTHENTICATED refusal is recorded only for a call whose credentials this service refuses too.");
            }

            reason = decision.Reason;
        }
        else if (code == "PERMISSION_DENIED")
        {
            if (caller.ClientId.Length == 0)
            {
                throw RpcErrors.FailedPrecondition("REFUSAL_NOT_VERIFIED", "registry.audit.v1.AccessEvent", method!,
                    "A PERMISSION_DENIED refusal is recorded only with the refused caller's valid token.");
            }

            if (row!.Best(caller.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries)).Scope != AccessScope.Denied)
            {
                throw RpcErrors.FailedPrecondition("REFUSAL_NOT_VERIFIED", "registry.audit.v1.AccessEvent", method!,
                    $"The access table lets role(s) [{caller.Roles}] call {method}: there is no refusal to record.");
            }
        }

        var id = await writer.RecordAndGetIdAsync(new AccessEvent
        {
            OccurredAt = clock.GetUtcNow(),
            Service = writer.Service,
            Method = method!,
            CaseIds = [.. caseIds.Select(c => c!.Value)],
            ClientId = caller.ClientId,
            Agency = caller.Agency,
            Roles = caller.Roles,
            Outcome = code!,
            Reason = reason ?? "",
            TraceId = Activity.Current?.TraceId.ToHexString() ?? "",
            DecidedBy = AccessAuditNames.DecidedByGateway,
        }, context.CancellationToken);
        return new ReportRefusalResponse { EventId = id };
    }

    private static bool OwnedByAnotherService(string method, string service) =>
        new[] { "intake", "custody", "medical" }.Any(owner => owner != service && method.StartsWith($"registry.{owner}.", StringComparison.Ordinal));

    public static Protos.Audit.V1.AccessEvent ToProto(AccessEventRow row)
    {
        var proto = new Protos.Audit.V1.AccessEvent
        {
            Id = row.Id,
            Service = row.Service,
            OccurredAt = Timestamp.FromDateTimeOffset(row.OccurredAt),
            Method = row.Method,
            ClientId = row.ClientId,
            Agency = row.Agency,
            Roles = row.Roles,
            Outcome = row.Outcome,
            Reason = row.Reason,
            Withheld = row.Withheld,
            TraceId = row.TraceId,
            DecidedBy = row.DecidedBy,
        };
        proto.CaseIds.AddRange(row.CaseIds.Select(c => c.ToString()));
        return proto;
    }
}
