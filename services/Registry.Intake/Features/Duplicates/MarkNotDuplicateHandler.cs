using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>A coordinator's decision that two cases are different persons; the pair is not raised again.</summary>
public sealed class MarkNotDuplicateHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    public async Task<DuplicateCandidate> HandleAsync(NotDuplicateDecision decision, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var a = await cases.FindAsync(decision.CaseId, tracked: false, ct);
        var b = await cases.FindAsync(decision.OtherCaseId, tracked: false, ct);
        var (later, earlier) = a.Number > b.Number ? (a, b) : (b, a);
        var candidate = await db.DuplicateCandidates.SingleOrDefaultAsync(d => d.CaseId == later.CaseId && d.OtherCaseId == earlier.CaseId, ct);
        if (candidate is null)
        {
            // Recorded even without a candidate, so the decision is on file.
            candidate = DuplicateCandidate.Found(later.CaseId, later.Number, earlier.CaseId, earlier.Number, 0, "marked by a coordinator", now);
            db.DuplicateCandidates.Add(candidate);
        }

        candidate.Resolve(DuplicateStatus.NotDuplicate, decision.Reason, now);
        await db.SaveChangesAsync(ct);
        return candidate;
    }
}
