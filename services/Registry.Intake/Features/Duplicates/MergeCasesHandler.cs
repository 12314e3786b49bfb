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
/// Merges two cases found to be one person: the merged case points to the survivor (nothing is deleted),
/// their candidate pair is resolved, the merged case's capture cards are withdrawn (the survivor's stand
/// for the person), and the other services and the ICRC are told.
/// </summary>
public sealed class MergeCasesHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock, ILogger<MergeCasesHandler> logger)
{
    public async Task<MergedCases> HandleAsync(CaseMerge merge, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var survivor = await cases.FindToChangeAsync(merge.SurvivorId, merge.SurvivorRevision, ct);
        var merged = await cases.FindToChangeAsync(merge.MergedId, merge.MergedRevision, ct);
        merged.MergeInto(survivor, now);
        var candidates = await db.DuplicateCandidates
            .Where(d => d.Status == DuplicateStatus.Open
                && ((d.CaseId == merged.CaseId && d.OtherCaseId == survivor.CaseId) || (d.CaseId == survivor.CaseId && d.OtherCaseId == merged.CaseId)))
            .ToListAsync(ct);
        foreach (var candidate in candidates)
        {
            candidate.Resolve(DuplicateStatus.Merged, merge.Reason, now);
        }

        foreach (var card in await db.CaptureCards.Where(c => c.CaseId == merged.CaseId && c.IssuedAt == null && c.WithdrawnAt == null).ToListAsync(ct))
        {
            card.Withdraw(now);
        }

        db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.Merged(survivor, merged, merge.Reason, now), now));
        db.RaiseNotification(survivor, NotificationKind.CasesMerged,
            $"Case {merged.CaseNumber} is the same person as {survivor.CaseNumber} and was merged into it: {merge.Reason}", now);
        await cases.SaveChangeAsync(merged, merge.MergedRevision, ct);
        logger.LogInformation("Merged case {Merged} into {Survivor}", merged.CaseNumber, survivor.CaseNumber);
        return new MergedCases(survivor, merged);
    }
}
