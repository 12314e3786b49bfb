using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.SeriouslyIll;

/// <summary>
/// Ends the mark (<see cref="MedicalRecord.UnmarkSeriouslyIll"/>): the weekly report clock stops, published as
/// SeriouslyIllUnmarked. Idempotent on request_id (kept on the spell it ended). <c>until</c> before the mark or before the
/// spell's latest weekly report is INVALID_ARGUMENT on <c>until</c>: a spell does not end before its own report.
/// </summary>
public sealed class UnmarkSeriouslyIllHandler(MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<UnmarkSeriouslyIllHandler> logger)
{
    public Task<SeriousIllnessResult> HandleAsync(SeriouslyIllUnmark unmark, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<SeriousIllness, SeriousIllnessResult>(db, unmark.Key)
        {
            FindPrior = (requestId, token) => db.SeriousIllnesses.AsNoTracking().SingleOrDefaultAsync(i => i.EndRequestId == requestId, token),
            PriorHash = i => i.EndRequestHash,
            Replay = async (i, token) => new SeriousIllnessResult(await db.FindRecordAsync(i.CaseId, tracked: false, token), i, null, Replayed: true),
            Conflict = _ => "request_id was already used for a different unmark; use a new request_id.",
        };
        return write.ExecuteAsync(token => LostRace.RetryOnVersionAsync(db, MedicalRecord.ResourceType, $"cases/{unmark.CaseId}", t => UnmarkAsync(unmark, caller, t), token), ct);
    }

    private async Task<SeriousIllnessResult> UnmarkAsync(SeriouslyIllUnmark unmark, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var record = await db.FindRecordAsync(unmark.CaseId, tracked: true, ct);
        record.EnsureOpen();
        var errors = new FieldViolations();
        if (record.SeriouslyIllSince is { } since && unmark.Until < since)
        {
            errors.Add("until", $"must not be before the mark's since ({since:yyyy-MM-ddTHH:mm:ssZ})");
        }
        else if (record.LastWeeklyReportAt is { } reported && unmark.Until < reported)
        {
            errors.Add("until", $"must not be before the spell's latest weekly health report ({reported:yyyy-MM-ddTHH:mm:ssZ})");
        }

        errors.ThrowIfAny();

        var ended = await WeeklyReportClock.EndAsync(db, record, unmark.Until, unmark.Note, caller, unmark.Key, now, ct);
        await db.SaveChangesAsync(ct);
        outbox.Notify();
        logger.LogInformation("Case {CaseNumber} no longer seriously ill or wounded from {Until:u}", record.CaseNumber, unmark.Until);
        return new SeriousIllnessResult(record, ended.FirstOrDefault(), null, Replayed: false);
    }
}
