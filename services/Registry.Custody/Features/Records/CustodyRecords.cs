using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Custody.Features.Records;

/// <summary>Loading a custody record, the one look-up every custody feature starts from.</summary>
public static class CustodyRecords
{
    /// <summary>The record of <paramref name="caseId"/>; NOT_FOUND (with ResourceInfo) when custody has none.</summary>
    public static Task<CustodyRecord> FindRecordAsync(this CustodyDbContext db, Guid caseId, bool tracked, CancellationToken ct)
        => (tracked ? db.Records : db.Records.AsNoTracking()).SingleOrNotFoundAsync(r => r.CaseId == caseId, CustodyRecord.ResourceType, caseId.ToString(), ct);
}
