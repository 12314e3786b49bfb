using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Features.Records;

/// <summary>Loading a custody record, the one look-up every custody feature starts from.</summary>
public static class CustodyRecords
{
    /// <summary>The record of <paramref name="caseId"/>; NOT_FOUND (with ResourceInfo) when custody has none.</summary>
    public static async Task<CustodyRecord> FindRecordAsync(this CustodyDbContext db, Guid caseId, bool tracked, CancellationToken ct)
    {
        var records = tracked ? db.Records : db.Records.AsNoTracking();
        return await records.SingleOrDefaultAsync(r => r.CaseId == caseId, ct)
            ?? throw RpcErrors.NotFound(CustodyRecord.ResourceType, caseId.ToString());
    }
}
