using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>
/// Issues a case's earliest capture card still owed (GC III Art. 70, Annex IV) and sends it to the ICRC
/// (Art. 123). Callers racing on one case issue each owed card once: the card's issue (and withdrawal) is its
/// concurrency token, so of two callers that read the same card owed one issues it and the other reads again
/// (<see cref="CaseStore.ChangeAsync"/>) and issues the next card owed, or is refused NO_CAPTURE_CARD_DUE as a
/// second call would be. The case is held as read (<see cref="CaseStore.EnsureUnchangedAsync"/>): the card
/// carries the identity as it stands when issued, and a case merged meanwhile answers CASE_MERGED.
/// </summary>
public sealed class IssueCaptureCardHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    public Task<CaptureCard> HandleAsync(Guid caseId, CancellationToken ct) => cases.ChangeAsync(caseId, token => IssueAsync(caseId, token), ct);

    private async Task<CaptureCard> IssueAsync(Guid caseId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var owner = await cases.FindAsync(caseId, tracked: false, ct);
        var owed = await db.CaptureCards.Where(c => c.CaseId == owner.CaseId && c.IssuedAt == null && c.WithdrawnAt == null)
            .OrderBy(c => c.DueAt).ThenBy(c => c.Id).FirstOrDefaultAsync(ct);

        CaptureCard card = null!;
        await cases.CommitAsync(ct, async token =>
        {
            await cases.EnsureUnchangedAsync(token, owner);
            card = owner.IssueCaptureCard(owed, ContractJson.Format(owner.ToAnnexIv()), now);
            db.RaiseNotification(owner, NotificationKind.CaptureCard, $"Capture card of {owner.CaseNumber} ({card.Reason}) issued: {IcrcFeed.Describe(owner)}.", now,
                card.ToProto());
        });
        return card;
    }
}
