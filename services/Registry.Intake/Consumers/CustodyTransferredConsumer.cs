using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A transfer makes a new capture card due and is notified to the ICRC (GC III Art. 70, 122).</summary>
public sealed class CustodyTransferredConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<CustodyTransferredConsumer> logger)
    : IConsumer<CustodyTransferred>
{
    public async Task Consume(ConsumeContext<CustodyTransferred> context)
    {
        var m = context.Message;
        var owner = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Transfer of case {CaseId} to {Facility}: capture card due again ({Known})", m.CaseId, m.ToFacility, owner is not null);
    }
}

public sealed class CustodyTransferredConsumerDefinition()
    : RegistryConsumerDefinition<CustodyTransferredConsumer, IntakeDbContext>("intake-custody-transferred");
