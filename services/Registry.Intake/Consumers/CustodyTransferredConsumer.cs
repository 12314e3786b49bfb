using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A transfer makes a new capture card due and is notified to the ICRC.</summary>
public sealed class CustodyTransferredConsumer(IntakeDbContext db, CaptureCardEventHandler handler, NotificationSignal signal, ILogger<CustodyTransferredConsumer> logger)
    : IConsumer<CustodyTransferred>
{
    public async Task Consume(ConsumeContext<CustodyTransferred> context)
    {
        var m = context.Message;
        CaptureCase? owner = null;
        await db.ApplyOnceAsync(context.MessageId ?? throw new InvalidOperationException("CustodyTransferred without a message id."),
            nameof(CustodyTransferredConsumer), async ct => owner = await handler.HandleAsync(m, ct), context.CancellationToken);
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
