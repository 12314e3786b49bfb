using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>Issues a case's earliest capture card still owed (GC III Art. 70, Annex IV) and sends it to the ICRC (Art. 123).</summary>
public sealed class IssueCaptureCardHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    public async Task<CaptureCard> HandleAsync(Guid caseId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var owner = await cases.FindAsync(caseId, tracked: false, ct);
        var owed = await db.CaptureCards.Where(c => c.CaseId == owner.CaseId && c.IssuedAt == null && c.WithdrawnAt == null)
            .OrderBy(c => c.DueAt).ThenBy(c => c.Id).FirstOrDefaultAsync(ct);

        var card = owner.IssueCaptureCard(owed, ContractJson.Format(owner.ToAnnexIv()), now);
        db.RaiseNotification(owner, NotificationKind.CaptureCard, $"Capture card of {owner.CaseNumber} ({card.Reason}) issued: {IcrcFeed.Describe(owner)}.", now,
            card.ToProto());
        await cases.CommitAsync(ct);
        return card;
    }
}
