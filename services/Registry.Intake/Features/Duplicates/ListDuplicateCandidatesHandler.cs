using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>Open duplicate candidates awaiting a coordinator, of the whole register or of one case.</summary>
public sealed class ListDuplicateCandidatesHandler(IntakeDbContext db)
{
    public Task<Page<DuplicateCandidate>> HandleAsync(DuplicateCandidatesQuery query, CancellationToken ct)
    {
        var open = db.DuplicateCandidates.AsNoTracking().Where(d => d.Status == DuplicateStatus.Open);
        if (query.CaseId is { } id)
        {
            open = open.Where(d => d.CaseId == id || d.OtherCaseId == id);
        }

        return open.ToKeysetPageAsync(query.Page, d => d.Id, ct);
    }
}
