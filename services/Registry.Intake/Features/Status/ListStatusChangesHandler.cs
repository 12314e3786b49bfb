using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Status;

/// <summary>A case's status decisions, oldest first.</summary>
public sealed class ListStatusChangesHandler(IntakeDbContext db, CaseStore cases)
{
    public async Task<Page<StatusChange>> HandleAsync(CasePage query, CancellationToken ct)
    {
        await cases.FindAsync(query.CaseId, tracked: false, ct);
        return await db.StatusChanges.AsNoTracking().Where(s => s.CaseId == query.CaseId).ToKeysetPageAsync(query.Page, s => s.Id, ct);
    }
}
