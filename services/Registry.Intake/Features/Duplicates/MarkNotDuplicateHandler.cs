using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>
/// A coordinator's decision that two cases are different persons; the pair is not raised again. Two cases
/// merged into one another cannot be declared different persons (CASE_MERGED), also against a merge racing
/// the decision: both cases are held as read (<see cref="CaseStore.EnsureUnchangedAsync"/>) and the pair's
/// status is a concurrency token, so either the merge comes first and the decision is refused as a later one
/// would be, or the decision comes first and the merge is refused (MARKED_NOT_DUPLICATE) until it is reopened.
/// A merged case takes no decision at all (CASE_MERGED: it belongs on its survivor). The decision is logged
/// (<see cref="DuplicateDecision"/>) with the agency and client of the caller's verified token; marking a pair
/// already marked not duplicate answers the pair as it stands and logs nothing.
/// </summary>
public sealed class MarkNotDuplicateHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    public Task<DuplicateCandidate> HandleAsync(NotDuplicateDecision decision, DecidedBy decidedBy, CancellationToken ct) =>
        cases.ChangeAsync(decision.CaseId, token => DecideAsync(decision, decidedBy, token), ct);

    private async Task<DuplicateCandidate> DecideAsync(NotDuplicateDecision decision, DecidedBy decidedBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var a = await cases.FindAsync(decision.CaseId, tracked: false, ct);
        var b = await cases.FindAsync(decision.OtherCaseId, tracked: false, ct);
        var (later, earlier) = a.Number > b.Number ? (a, b) : (b, a);
        DuplicateCandidate candidate = null!;
        await cases.CommitAsync(ct, async token =>
        {
            await cases.EnsureUnchangedAsync(token, a, b);
            later.EnsureNotMergedWith(earlier);
            // A merged case's decisions belong on the case it was merged into (and two cases merged into one
            // survivor are one person): refused CASE_MERGED, like every change of a merged case.
            later.EnsureOpen();
            earlier.EnsureOpen();
            var found = await db.DuplicateCandidates.SingleOrDefaultAsync(d => d.CaseId == later.CaseId && d.OtherCaseId == earlier.CaseId, token);
            if (found is null)
            {
                // Recorded even without a candidate, so the decision is on file.
                found = DuplicateCandidate.Found(later.CaseId, later.Number, earlier.CaseId, earlier.Number, 0, "marked by a coordinator", now);
                db.DuplicateCandidates.Add(found);
            }

            candidate = found;
            if (found.Status == DuplicateStatus.NotDuplicate)
            {
                // Saying again what is on file changes nothing and logs nothing: the first decision stands.
                return;
            }

            db.DuplicateDecisions.Add(candidate.Resolve(DuplicateStatus.NotDuplicate, decision.Reason, decidedBy, now));
        });
        return candidate;
    }
}
