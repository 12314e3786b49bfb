using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Features.Duplicates;

/// <summary>The two cases after a merge.</summary>
public sealed record MergedCases(CaptureCase Survivor, CaptureCase Merged);

/// <summary>
/// Merges two cases found to be one person: the merged case points to the survivor (nothing is deleted), the
/// survivor keeps the merged case's names as "also known as" names (found by them in search), their candidate
/// pair is resolved with who decided it (a pair declared different persons is refused MARKED_NOT_DUPLICATE until
/// that decision is reopened), the capture cards the person owes move to the survivor
/// (<see cref="CaptureCard.Merge"/>: no overdue card vanishes), and the other services and the ICRC are told.
/// The merged case's ICRC notifications stay owed as they were (they report what happened to the person).
/// </summary>
/// <remarks>
/// Both cases' revisions guard the merge. The cases are written first in the transaction, so their rows are
/// held (PostgreSQL) before the candidates and cards are read: a card or a decision committed by a racing
/// writer before that is seen and handled, one after it finds the merge and loses. A merge that loses a race
/// runs again from the read (<see cref="CaseStore.ChangeAsync"/>) and answers as a second call would: the
/// other direction of the same pair CASE_MERGED, a stale revision ABORTED.
/// </remarks>
public sealed class MergeCasesHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock, ILogger<MergeCasesHandler> logger)
{
    public Task<MergedCases> HandleAsync(CaseMerge merge, DecidedBy decidedBy, CancellationToken ct) =>
        cases.ChangeAsync(merge.MergedId, token => MergeAsync(merge, decidedBy, token), ct);

    private async Task<MergedCases> MergeAsync(CaseMerge merge, DecidedBy decidedBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var (survivor, merged) = await cases.FindPairToChangeAsync((merge.SurvivorId, merge.SurvivorRevision), (merge.MergedId, merge.MergedRevision), ct);
        merged.MergeInto(survivor, now);
        await cases.CommitAsync(ct, async token =>
        {
            // Both cases at the revisions read, or a DbUpdateConcurrencyException; their rows are held from here.
            await db.SaveChangesAsync(token);

            var candidates = await db.DuplicateCandidates
                .Where(d => (d.CaseId == merged.CaseId && d.OtherCaseId == survivor.CaseId) || (d.CaseId == survivor.CaseId && d.OtherCaseId == merged.CaseId))
                .ToListAsync(token);
            if (candidates.Count == 0)
            {
                // Recorded even without a candidate, so the decision is on file with who took it.
                var (later, earlier) = merged.Number > survivor.Number ? (merged, survivor) : (survivor, merged);
                var pair = DuplicateCandidate.Found(later.CaseId, later.Number, earlier.CaseId, earlier.Number, 0, "merged by a coordinator", now);
                db.DuplicateCandidates.Add(pair);
                candidates.Add(pair);
            }

            foreach (var candidate in candidates)
            {
                db.DuplicateDecisions.Add(candidate.Resolve(DuplicateStatus.Merged, merge.Reason, decidedBy, now));
            }

            var cards = await db.CaptureCards.Where(c => c.CaseId == merged.CaseId || c.CaseId == survivor.CaseId).ToListAsync(token);
            CaptureCard.Merge(survivor, cards.Where(c => c.CaseId == survivor.CaseId).ToList(), merged, cards.Where(c => c.CaseId == merged.CaseId).ToList(), now);

            db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.Merged(survivor, merged, merge.Reason, now), now));
            db.RaiseNotification(survivor, NotificationKind.CasesMerged,
                $"Case {merged.CaseNumber} is the same person as {survivor.CaseNumber} and was merged into it: {merge.Reason}", now);
        });
        logger.LogInformation("Merged case {Merged} into {Survivor}", merged.CaseNumber, survivor.CaseNumber);
        return new MergedCases(survivor, merged);
    }
}
