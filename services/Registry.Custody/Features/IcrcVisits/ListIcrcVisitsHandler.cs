using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Features.IcrcVisits;

/// <summary>The ICRC visits in which a case was interviewed in private, the latest first, keyset-paged.</summary>
public sealed class ListIcrcVisitsHandler(CustodyDbContext db)
{
    public async Task<Page<IcrcVisit>> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.IcrcVisits.AsNoTracking()
            .Where(v => v.PrivateInterviews.Any(p => p.CaseId == query.CaseId))
            .ToKeysetPageDescendingAsync(query.Page, v => v.VisitedAt, v => v.Id, ct);
    }
}
