using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A transfer makes a new capture card due and is notified to the ICRC.</summary>
public sealed class CustodyTransferredConsumer(IntakeDbContext db, NotificationSignal signal, TimeProvider clock, ILogger<CustodyTransferredConsumer> logger)
    : IConsumer<CustodyTransferred>
{
    public async Task Consume(ConsumeContext<CustodyTransferred> context)
    {
        var m = context.Message;
        var owner = await CaptureCardEvents.ApplyAsync(db, context.MessageId ?? throw new InvalidOperationException("CustodyTransferred without a message id."),
            nameof(CustodyTransferredConsumer), m.CaseId, CaptureCardReason.Transfer, NotificationKind.Transfer, m.TransferredAt,
            c => $"Transferred: {IcrcFeed.Describe(c)} from {m.FromFacility ?? "?"} to {m.ToFacility}{(m.ToPower is null ? "" : $" ({m.ToPower})")} on {m.TransferredAt:yyyy-MM-dd}.",
            clock.GetUtcNow().ToMicroseconds(), context.CancellationToken);
        signal.Notify();
        logger.LogInformation("Transfer of case {CaseId} to {Facility}: capture card due again ({Known})", m.CaseId, m.ToFacility, owner is not null);
    }
}

public sealed class CustodyTransferredConsumerDefinition : ConsumerDefinition<CustodyTransferredConsumer>
{
    public CustodyTransferredConsumerDefinition() => EndpointName = "intake-custody-transferred";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<CustodyTransferredConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseRegistryRetry(context);
}
