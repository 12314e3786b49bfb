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
    TDb db, AccessAuditWriter<TDb> writer, IAccessCallerIdentity callers, TimeProvider clock)
    : AccessAuditService.AccessAuditServiceBase
    where TDb : DbContext, IAccessAuditStore
{
    /// <summary>The gRPC status code names (google.rpc.Code) a refusal may carry: every one but OK.</summary>
    private static readonly HashSet<string> RefusalCodes = System.Enum.GetValues<StatusCode>()
        .Where(c => c != StatusCode.OK)
        .Select(AccessAuditNames.StatusCodeName)
        .ToHashSet(StringComparer.Ordinal);

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
    /// (<see cref="IAccessCallerIdentity"/>); only method, status, reason and case ids come from the request.
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
            errors.Add("status_code", "must be the name of a gRPC status code other than OK, e.g. PERMISSION_DENIED");
        }

        var reason = errors.Text("reason", request.Reason, AccessAuditModel.ReasonLength, required: false);
        var caseIds = request.CaseIds.Select((id, i) => errors.Uuid($"case_ids[{i}]", id, required: true)).ToList();
        errors.ThrowIfAny();

        var caller = callers.Of(context);
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
