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
        => (tracked ? Tracked : Untracked).SingleOrNotFoundAsync(db, caseId, MedicalRecord.ResourceType, caseId.ToString(), ct);

    // Compiled once per model (CompiledQuery): every medical feature, and each case-file read, starts here.
    private static readonly CompiledQuery<MedicalDbContext, Guid, MedicalRecord?> Tracked =
        new((db, caseId, ct) => db.Records.SingleOrDefault(r => r.CaseId == caseId));

    private static readonly CompiledQuery<MedicalDbContext, Guid, MedicalRecord?> Untracked =
        new((db, caseId, ct) => db.Records.AsNoTracking().SingleOrDefault(r => r.CaseId == caseId));
}
