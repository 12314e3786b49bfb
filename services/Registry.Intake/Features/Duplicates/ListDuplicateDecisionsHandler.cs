using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>The log of decisions on duplicate pairs, oldest first: of the whole register, of one case, or of one status set.</summary>
public sealed class ListDuplicateDecisionsHandler(IntakeDbContext db)
{
    public Task<Page<DuplicateDecision>> HandleAsync(DuplicateDecisionsQuery query, CancellationToken ct)
    {
        var decisions = db.DuplicateDecisions.AsNoTracking();
        if (query.CaseId is { } id)
        {
            decisions = decisions.Where(d => d.CaseId == id || d.OtherCaseId == id);
        }

        if (query.Status is { } status)
        {
            decisions = decisions.Where(d => d.Status == status);
        }

        return decisions.ToKeysetPageAsync(query.Page, d => d.Id, ct);
    }
}
