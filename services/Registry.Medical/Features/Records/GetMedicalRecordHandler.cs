using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Records;

/// <summary>A record with every condition ever found, the active ones first (clinical detail: GC III Art. 30, 31).</summary>
public sealed class GetMedicalRecordHandler(MedicalDbContext db)
{
    public async Task<(MedicalRecord Record, IReadOnlyList<Condition> Conditions)> HandleAsync(Guid caseId, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(caseId, tracked: false, ct);
        var conditions = await db.Conditions.AsNoTracking().Where(c => c.CaseId == caseId).OrderBy(c => c.Id).ToListAsync(ct);
        return (record, conditions.OrderByDescending(c => c.IsActive).ToList());
    }
}
