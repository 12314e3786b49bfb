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
    : RegistryConsumerDefinition<CaseRegisteredConsumer, CustodyDbContext>(Queue)
{
    public const string Queue = "custody-case-registered";
}

/// <summary>
/// Opens the custody records of the cases whose <see cref="CaseRegistered"/> events intake's outbox published together
/// (<see cref="CaseRegisteredBundle"/>: a bulk import's hundred cases in one message), each once under its own message
/// id as <see cref="CaseRegisteredConsumer"/> would, in one transaction; a bundle that fails is sent on to that
/// consumer's queue event by event.
/// </summary>
public sealed class CaseRegisteredBundleConsumer(OpenCustodyRecordHandler open, InboxSession<CustodyDbContext> inbox)
    : InboxBundleConsumer<CaseRegisteredConsumer, CustodyDbContext>(inbox, CaseRegisteredConsumerDefinition.Queue)
{
    protected override Task ApplyAsync(CaseRegistered message, CancellationToken ct) => open.HandleAsync(message, ct);
}

public sealed class CaseRegisteredBundleConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredBundleConsumer, CustodyDbContext>("custody-case-registered-bundle");
