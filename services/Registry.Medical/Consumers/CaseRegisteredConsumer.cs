using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Consumers;

/// <summary>Opens the medical record of a newly registered case, once per event however often it is delivered.</summary>
public sealed class CaseRegisteredConsumer(MedicalDbContext db, OpenMedicalRecordHandler open, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        var message = context.Message;
        var messageId = context.MessageId ?? throw new InvalidOperationException("CaseRegistered arrived without a message id.");
        var applied = await db.ApplyOnceAsync(messageId, nameof(CaseRegisteredConsumer), async ct =>
        {
            await open.HandleAsync(message, ct);
        }, context.CancellationToken);

        if (applied)
        {
            logger.LogInformation("Opened medical record for case {CaseNumber}", message.CaseNumber);
        }
    }
}

public sealed class CaseRegisteredConsumerDefinition : ConsumerDefinition<CaseRegisteredConsumer>
{
    public CaseRegisteredConsumerDefinition()
    {
        // Each service keeps its own queue, so each gets its own copy of every event.
        EndpointName = "medical-case-registered";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<CaseRegisteredConsumer> consumer, IRegistrationContext context)
    {
        // A database hiccup is retried in place (Messaging:Retry); what still fails goes to
        // medical-case-registered_error, from where `registryctl move-errors medical-case-registered` takes it back.
        endpoint.UseRegistryRetry(context);
    }
}
