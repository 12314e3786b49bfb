using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyEvent = Registry.Custody.Domain.CustodyEvent;

namespace Registry.Custody.Features.Timeline;

/// <summary>A case's custody timeline in sequence order, keyset-paged (append-only, so pages never shift).</summary>
public sealed class ListCustodyEventsHandler(CustodyDbContext db)
{
    public async Task<Page<CustodyEvent>> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.Events.AsNoTracking().Where(e => e.CaseId == query.CaseId).ToKeysetPageAsync(query.Page, e => e.Sequence, ct);
    }
}
