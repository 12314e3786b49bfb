using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Effects;

/// <summary>A case's effects register, in the order entered.</summary>
public sealed class ListPersonalEffectsHandler(IntakeDbContext db, CaseStore cases)
{
    public async Task<Page<PersonalEffect>> HandleAsync(CasePage query, CancellationToken ct)
    {
        await cases.FindAsync(query.CaseId, tracked: false, ct);
        return await db.PersonalEffects.AsNoTracking().Where(e => e.CaseId == query.CaseId).ToKeysetPageAsync(query.Page, e => e.Id, ct);
    }
}
