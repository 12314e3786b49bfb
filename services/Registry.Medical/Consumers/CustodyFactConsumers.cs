using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Consumers;

/// <summary>
/// Custody's facts that decide whether a monthly inspection is owed (GC III Art. 31; <see cref="MedicalRecord.OwesInspections"/>):
/// the end of captivity, an escape and a recapture. Each applied once per event (the inbox filter commits); a fact of a case
/// whose record is not open yet (its CaseRegistered still on the way) is retried until it is.
/// </summary>
public static class CustodyFacts
{
    /// <exception cref="InvalidOperationException">No record of the case yet: retried.</exception>
    public static async Task<MedicalRecord> RecordAsync(MedicalDbContext db, Guid caseId, CancellationToken ct) =>
        await db.Records.SingleOrDefaultAsync(r => r.CaseId == caseId, ct)
        ?? throw new InvalidOperationException($"No medical record of case {caseId} yet (its CaseRegistered is on the way).");
}

public sealed class CaptivityEndedConsumer(MedicalDbContext db, ILogger<CaptivityEndedConsumer> logger) : IConsumer<CaptivityEnded>
{
    public async Task Consume(ConsumeContext<CaptivityEnded> context)
    {
        var record = await CustodyFacts.RecordAsync(db, context.Message.CaseId, context.CancellationToken);
        if (record.EndCaptivity(context.Message.EndedAt))
        {
            logger.LogInformation("Case {CaseNumber}: captivity ended ({Way}); no inspection is owed any more", record.CaseNumber, context.Message.Way);
        }
    }
}

public sealed class PrisonerEscapedConsumer(MedicalDbContext db, ILogger<PrisonerEscapedConsumer> logger) : IConsumer<PrisonerEscaped>
{
    public async Task Consume(ConsumeContext<PrisonerEscaped> context)
    {
        var record = await CustodyFacts.RecordAsync(db, context.Message.CaseId, context.CancellationToken);
        if (record.Escape(context.Message.EscapedAt))
        {
            logger.LogInformation("Case {CaseNumber}: escaped; inspections wait for a recapture", record.CaseNumber);
        }
    }
}

public sealed class PrisonerRecapturedConsumer(MedicalDbContext db, ILogger<PrisonerRecapturedConsumer> logger) : IConsumer<PrisonerRecaptured>
{
    public async Task Consume(ConsumeContext<PrisonerRecaptured> context)
    {
        var record = await CustodyFacts.RecordAsync(db, context.Message.CaseId, context.CancellationToken);
        if (record.Recapture(context.Message.RecapturedAt))
        {
            logger.LogInformation("Case {CaseNumber}: recaptured; inspections are owed again", record.CaseNumber);
        }
    }
}

public sealed class CaptivityEndedConsumerDefinition()
    : RegistryConsumerDefinition<CaptivityEndedConsumer, MedicalDbContext>("medical-captivity-ended");

public sealed class PrisonerEscapedConsumerDefinition()
    : RegistryConsumerDefinition<PrisonerEscapedConsumer, MedicalDbContext>("medical-prisoner-escaped");

public sealed class PrisonerRecapturedConsumerDefinition()
    : RegistryConsumerDefinition<PrisonerRecapturedConsumer, MedicalDbContext>("medical-prisoner-recaptured");
