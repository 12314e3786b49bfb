using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Records;

/// <summary>Loading a medical record, the one look-up every medical feature starts from.</summary>
public static class MedicalRecords
{
    /// <summary>The record of <paramref name="caseId"/>; NOT_FOUND (with ResourceInfo) when medical has none.</summary>
    public static async Task<MedicalRecord> FindRecordAsync(this MedicalDbContext db, Guid caseId, bool tracked, CancellationToken ct)
    {
        var records = tracked ? db.Records : db.Records.AsNoTracking();
        return await records.SingleOrDefaultAsync(r => r.CaseId == caseId, ct)
            ?? throw RpcErrors.NotFound(MedicalRecord.ResourceType, caseId.ToString());
    }
}
