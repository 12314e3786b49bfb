using MassTransit;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Consumers;

/// <summary>
/// Opens the medical record of a newly registered case, once per event however often it is delivered
/// (the inbox filter of its definition saves and commits).
/// </summary>
public sealed class CaseRegisteredConsumer(OpenMedicalRecordHandler open, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        if (await open.HandleAsync(context.Message, context.CancellationToken) is not null)
        {
            logger.LogDebug("Opening medical record for case {CaseNumber}", context.Message.CaseNumber);
        }
    }
}

public sealed class CaseRegisteredConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredConsumer, MedicalDbContext>("medical-case-registered");
