using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>
/// The person arrived at a place of internment. Registration opened the admission capture card's clock
/// provisionally; the Convention counts the week from this arrival (GC III Art. 70), so a card not yet
/// issued is now due a week after it. The ICRC learns where the person is held (Art. 122).
/// </summary>
public sealed class CustodyAdmittedConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<CustodyAdmittedConsumer> logger)
    : IConsumer<CustodyAdmitted>
{
    public async Task Consume(ConsumeContext<CustodyAdmitted> context)
    {
        var m = context.Message;
        // Inside the inbox filter's transaction, which commits after the consumer returns.
        var arrival = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Admission of case {CaseId} to {Facility}: capture card {Card}", m.CaseId, m.Facility,
            arrival.Owner is null ? "not a case of this register" : arrival.Card is null ? "already issued" : $"due {arrival.Card.DueAt:u}");
    }
}

public sealed class CustodyAdmittedConsumerDefinition()
    : RegistryConsumerDefinition<CustodyAdmittedConsumer, IntakeDbContext>("intake-custody-admitted");
