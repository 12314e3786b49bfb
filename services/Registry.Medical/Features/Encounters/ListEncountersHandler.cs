using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Condition = Registry.Medical.Domain.Condition;
using Encounter = Registry.Medical.Domain.Encounter;

namespace Registry.Medical.Features.Encounters;

/// <summary>A case's encounters in the order they took place (then as entered), keyset-paged, with the conditions each named.</summary>
public sealed class ListEncountersHandler(MedicalDbContext db)
{
    public async Task<(Page<Encounter> Page, IReadOnlyList<Condition> Conditions)> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        var page = await db.Encounters.AsNoTracking().Where(e => e.CaseId == query.CaseId)
            .ToKeysetPageAsync(query.Page, e => e.OccurredAt, e => e.Id, ct);
        var ids = page.Items.Select(e => e.EncounterId).ToList();
        var conditions = await db.Conditions.AsNoTracking()
            .Where(c => c.CaseId == query.CaseId && (ids.Contains(c.FoundInEncounterId) || (c.ResolvedInEncounterId != null && ids.Contains(c.ResolvedInEncounterId.Value))))
            .ToListAsync(ct);
        return (page, conditions);
    }
}
