using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A death is notified to the ICRC once (GC III Art. 120, 122); capture cards still owed are withdrawn.</summary>
public sealed class DeathRecordedConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<DeathRecordedConsumer> logger)
    : IConsumer<DeathRecorded>
{
    public async Task Consume(ConsumeContext<DeathRecorded> context)
    {
        var m = context.Message;
        var owner = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Death of case {CaseId} notified ({Known})", m.CaseId, owner is not null);
    }
}

public sealed class DeathRecordedConsumerDefinition()
    : RegistryConsumerDefinition<DeathRecordedConsumer, IntakeDbContext>("intake-death-recorded");
