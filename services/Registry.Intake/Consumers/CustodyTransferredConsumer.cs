using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A transfer makes a new capture card due and is notified to the ICRC.</summary>
public sealed class CustodyTransferredConsumer(IntakeDbContext db, NotificationSignal signal, InboxCommit commit, TimeProvider clock, ILogger<CustodyTransferredConsumer> logger)
    : IConsumer<CustodyTransferred>
{
    public async Task Consume(ConsumeContext<CustodyTransferred> context)
    {
        var m = context.Message;
        var owner = await CaptureCardEvents.ApplyAsync(db, m.CaseId, CaptureCardReason.Transfer, NotificationKind.Transfer, m.TransferredAt,
            c => $"Transferred: {IcrcFeed.Describe(c)} from {m.FromFacility ?? "?"} to {m.ToFacility}{(m.ToPower is null ? "" : $" ({m.ToPower})")} on {m.TransferredAt:yyyy-MM-dd}.",
            clock.GetUtcNow().ToMicroseconds(), context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Transfer of case {CaseId} to {Facility}: capture card due again ({Known})", m.CaseId, m.ToFacility, owner is not null);
    }
}

public sealed class CustodyTransferredConsumerDefinition()
    : RegistryConsumerDefinition<CustodyTransferredConsumer, IntakeDbContext>("intake-custody-transferred");
