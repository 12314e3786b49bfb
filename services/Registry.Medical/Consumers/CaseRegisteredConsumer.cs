using MassTransit;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Consumers;

/// <summary>
/// Opens the medical record of each newly registered case, once per event however often it is delivered. The event
/// comes in thousands a second during a bulk import, so it is taken in batches, one transaction each
/// (<see cref="InboxBatchConsumer{TMessage, TDb}"/>; limits in Messaging:Batch).
/// </summary>
public sealed class CaseRegisteredConsumer(OpenMedicalRecordHandler open, InboxSession<MedicalDbContext> inbox, ILogger<CaseRegisteredConsumer> logger)
    : InboxBatchConsumer<CaseRegistered, MedicalDbContext>(inbox)
{
    protected override async Task ApplyAsync(ConsumeContext<CaseRegistered> message, CancellationToken ct)
    {
        if (await open.HandleAsync(message.Message, ct) is not null)
        {
            logger.LogDebug("Opening medical record for case {CaseNumber}", message.Message.CaseNumber);
        }
    }
}

public sealed class CaseRegisteredConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredConsumer, MedicalDbContext>("medical-case-registered");
