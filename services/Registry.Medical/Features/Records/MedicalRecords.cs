using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Medical.Features.Records;

/// <summary>Loading a medical record, the one look-up every medical feature starts from.</summary>
public static class MedicalRecords
{
    /// <summary>The record of <paramref name="caseId"/>; NOT_FOUND (with ResourceInfo) when medical has none.</summary>
    public static Task<MedicalRecord> FindRecordAsync(this MedicalDbContext db, Guid caseId, bool tracked, CancellationToken ct)
        => (tracked ? db.Records : db.Records.AsNoTracking()).SingleOrNotFoundAsync(r => r.CaseId == caseId, MedicalRecord.ResourceType, caseId.ToString(), ct);
}
