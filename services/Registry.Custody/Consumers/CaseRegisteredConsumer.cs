using MassTransit;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Consumers;

/// <summary>
/// Opens the custody record of a newly registered case, its timeline starting with the capture, once per
/// event however often it is delivered (the inbox filter of its definition saves and commits).
/// </summary>
public sealed class CaseRegisteredConsumer(OpenCustodyRecordHandler open, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        if (await open.HandleAsync(context.Message, context.CancellationToken) is not null)
        {
            logger.LogDebug("Opening custody record for case {CaseNumber}", context.Message.CaseNumber);
        }
    }
}

public sealed class CaseRegisteredConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredConsumer, CustodyDbContext>("custody-case-registered");
