using MassTransit;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Consumers;

/// <summary>
/// Opens the custody record of each newly registered case, once per event however often it is delivered. The event
/// comes in thousands a second during a bulk import, so it is taken in batches, one transaction each
/// (<see cref="InboxBatchConsumer{TMessage, TDb}"/>; limits in Messaging:Batch).
/// </summary>
public sealed class CaseRegisteredConsumer(OpenCustodyRecordHandler open, InboxSession<CustodyDbContext> inbox, ILogger<CaseRegisteredConsumer> logger)
    : InboxBatchConsumer<CaseRegistered, CustodyDbContext>(inbox)
{
    protected override async Task ApplyAsync(ConsumeContext<CaseRegistered> message, CancellationToken ct)
    {
        if (await open.HandleAsync(message.Message, ct) is not null)
        {
            logger.LogDebug("Opening custody record for case {CaseNumber}", message.Message.CaseNumber);
        }
    }
}

public sealed class CaseRegisteredConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredConsumer, CustodyDbContext>("custody-case-registered");
