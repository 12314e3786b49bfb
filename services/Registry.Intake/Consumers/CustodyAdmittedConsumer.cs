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
public sealed class CustodyAdmittedConsumer(IntakeDbContext db, NotificationSignal signal, TimeProvider clock, ILogger<CustodyAdmittedConsumer> logger)
    : IConsumer<CustodyAdmitted>
{
    public async Task Consume(ConsumeContext<CustodyAdmitted> context)
    {
        var m = context.Message;
        var now = clock.GetUtcNow().ToMicroseconds();
        var admittedAt = m.AdmittedAt.ToMicroseconds();
        CaptureCase? owner = null;
        CaptureCard? card = null;
        await db.ApplyOnceAsync(context.MessageId ?? throw new InvalidOperationException("CustodyAdmitted without a message id."),
            nameof(CustodyAdmittedConsumer), async ct =>
            {
                owner = await CaptureCardEvents.FindOwnerAsync(db, m.CaseId, ct);
                if (owner is null)
                {
                    return; // not a case of this register
                }

                card = await db.CaptureCards
                    .Where(c => c.CaseId == owner.CaseId && c.Reason == CaptureCardReason.Admission && c.IssuedAt == null && c.WithdrawnAt == null)
                    .OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
                card?.RebaseTo(admittedAt);

                var place = string.Join(", ", new[] { m.Facility, m.Locality, m.Country }.Where(p => !string.IsNullOrEmpty(p)));
                db.RaiseNotification(owner, NotificationKind.Admission,
                    $"Admitted: {IcrcFeed.Describe(owner)} held at {place} by {m.CustodianAgency} since {admittedAt:yyyy-MM-dd}.", now);
                await db.SequenceNotificationsAsync(ct);
            }, context.CancellationToken);
        signal.Notify();
        logger.LogInformation("Admission of case {CaseId} to {Facility}: capture card {Card}", m.CaseId, m.Facility,
            owner is null ? "not a case of this register" : card is null ? "already issued" : $"due {card.DueAt:u}");
    }
}

public sealed class CustodyAdmittedConsumerDefinition : ConsumerDefinition<CustodyAdmittedConsumer>
{
    public CustodyAdmittedConsumerDefinition() => EndpointName = "intake-custody-admitted";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<CustodyAdmittedConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseRegistryRetry(context);
}
