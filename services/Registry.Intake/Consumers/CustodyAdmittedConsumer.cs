using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>
/// The person arrived at a place of internment. Registration opened the admission capture card's clock
/// provisionally; the Convention counts the week from this arrival (GC III Art. 70), so a card not yet
/// issued is now due a week after it. The ICRC learns where the person is held (Art. 122).
/// </summary>
public sealed class CustodyAdmittedConsumer(IntakeDbContext db, NotificationSignal signal, InboxCommit commit, TimeProvider clock, ILogger<CustodyAdmittedConsumer> logger)
    : IConsumer<CustodyAdmitted>
{
    public async Task Consume(ConsumeContext<CustodyAdmitted> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow().ToMicroseconds();
        var admittedAt = m.AdmittedAt.ToMicroseconds();
        var owner = await CaptureCardEvents.FindOwnerAsync(db, m.CaseId, ct);
        if (owner is null)
        {
            logger.LogInformation("Admission of case {CaseId} to {Facility}: not a case of this register", m.CaseId, m.Facility);
            return;
        }

        var card = await db.CaptureCards
            .Where(c => c.CaseId == owner.CaseId && c.Reason == CaptureCardReason.Admission && c.IssuedAt == null && c.WithdrawnAt == null)
            .OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        card?.RebaseTo(admittedAt);

        var place = string.Join(", ", new[] { m.Facility, m.Locality, m.Country }.Where(p => !string.IsNullOrEmpty(p)));
        db.RaiseNotification(owner, NotificationKind.Admission,
            $"Admitted: {IcrcFeed.Describe(owner)} held at {place} by {m.CustodianAgency} since {admittedAt:yyyy-MM-dd}.", now);
        // Inside the inbox filter's transaction, which commits after the consumer returns.
        await db.SequenceNotificationsAsync(ct);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Admission of case {CaseId} to {Facility}: capture card {Card}", m.CaseId, m.Facility,
            card is null ? "already issued" : $"due {card.DueAt:u}");
    }
}

public sealed class CustodyAdmittedConsumerDefinition()
    : RegistryConsumerDefinition<CustodyAdmittedConsumer, IntakeDbContext>("intake-custody-admitted");
