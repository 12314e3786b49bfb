using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Consumers;

/// <summary>
/// Opens the medical record of a newly registered case, once per event however often it is delivered
/// (the inbox filter of its definition saves and commits).
/// </summary>
public sealed class CaseRegisteredConsumer(MedicalDbContext db, TimeProvider clock, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        var message = context.Message;
        if (await db.Records.AnyAsync(r => r.CaseId == message.CaseId, context.CancellationToken))
        {
            return;
        }

        db.Records.Add(MedicalRecord.Open(message.CaseId, message.CaseNumber, clock.GetUtcNow().ToMicroseconds()));
        logger.LogInformation("Opening medical record for case {CaseNumber}", message.CaseNumber);
    }
}

public sealed class CaseRegisteredConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredConsumer, MedicalDbContext>("medical-case-registered");
