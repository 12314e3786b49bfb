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
        => (tracked ? Tracked : Untracked).SingleOrNotFoundAsync(db, caseId, CustodyRecord.ResourceType, caseId.ToString(), ct);

    // Compiled once per model (CompiledQuery): every custody feature, and each case-file read, starts here.
    private static readonly CompiledQuery<CustodyDbContext, Guid, CustodyRecord?> Tracked =
        new((db, caseId, ct) => db.Records.SingleOrDefault(r => r.CaseId == caseId));

    private static readonly CompiledQuery<CustodyDbContext, Guid, CustodyRecord?> Untracked =
        new((db, caseId, ct) => db.Records.AsNoTracking().SingleOrDefault(r => r.CaseId == caseId));
}
