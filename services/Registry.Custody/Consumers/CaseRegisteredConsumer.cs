using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Consumers;

/// <summary>
/// Opens the custody record of a newly registered case, its timeline starting with the capture, once per
/// event however often it is delivered (the inbox filter of its definition saves and commits).
/// </summary>
public sealed class CaseRegisteredConsumer(CustodyDbContext db, TimeProvider clock, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        var message = context.Message;
        if (await db.Records.AnyAsync(r => r.CaseId == message.CaseId, context.CancellationToken))
        {
            return; // the same case announced by another message id (an outbox replay after a crash)
        }

        var (record, captured) = CustodyRecord.Open(message.CaseId, message.CaseNumber, message.CapturedAt.ToMicroseconds(),
            message.CapturePlace, message.CapturingAgency, clock.GetUtcNow().ToMicroseconds());
        db.Records.Add(record);
        db.Events.Add(captured);
        logger.LogInformation("Opening custody record for case {CaseNumber}", message.CaseNumber);
    }
}

public sealed class CaseRegisteredConsumerDefinition()
    : RegistryConsumerDefinition<CaseRegisteredConsumer, CustodyDbContext>("custody-case-registered");
