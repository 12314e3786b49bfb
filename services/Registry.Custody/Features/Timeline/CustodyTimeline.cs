using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyEvent = Registry.Custody.Domain.CustodyEvent;

namespace Registry.Custody.Features.Timeline;

/// <summary>A validated page request of one case's timeline.</summary>
public sealed record TimelineQuery(Guid CaseId, PageRequest Page)
{
    public static TimelineQuery Validate(ListCustodyEventsRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var page = errors.Page(request.PageSize, request.PageToken, $"custody-events/{request.CaseId}");
        errors.ThrowIfAny();
        return new TimelineQuery(caseId!.Value, page);
    }
}

/// <summary>A case's custody timeline in sequence order, keyset-paged (append-only, so pages never shift).</summary>
public sealed class ListCustodyEventsHandler(CustodyDbContext db)
{
    public async Task<Page<CustodyEvent>> HandleAsync(TimelineQuery query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.Events.AsNoTracking().Where(e => e.CaseId == query.CaseId).ToKeysetPageAsync(query.Page, e => e.Sequence, ct);
    }
}
