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
/// Records a weekly health report (GC III Art. 122) and moves the clock to 7 days after the latest report, published
/// as WeeklyHealthReportRecorded with the state only (the notes stay here). Idempotent on request_id.
/// </summary>
public sealed class RecordWeeklyHealthReportHandler(
    MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<RecordWeeklyHealthReportHandler> logger)
{
    public Task<SeriousIllnessResult> HandleAsync(WeeklyHealthReportEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<WeeklyHealthReport, SeriousIllnessResult>(db, entry.Key)
        {
            FindPrior = (requestId, token) => db.WeeklyHealthReports.AsNoTracking().SingleOrDefaultAsync(r => r.RequestId == requestId, token),
            PriorHash = r => r.RequestHash,
            Replay = async (r, token) => new SeriousIllnessResult(await db.FindRecordAsync(r.CaseId, tracked: false, token), null, r, Replayed: true),
            Conflict = _ => "request_id was already used for a different weekly health report; use a new request_id.",
        };
        return write.ExecuteAsync(token => LostRace.RetryOnVersionAsync(db, MedicalRecord.ResourceType, $"cases/{entry.CaseId}", t => RecordAsync(entry, caller, t), token), ct);
    }

    private async Task<SeriousIllnessResult> RecordAsync(WeeklyHealthReportEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var record = await db.FindRecordAsync(entry.CaseId, tracked: true, ct);
        record.EnsureOpen();
        if (record.SeriouslyIllSince is { } since && entry.ReportedAt < since)
        {
            var errors = new FieldViolations();
            errors.Add("reported_at", $"must not be before the mark's since ({since:yyyy-MM-ddTHH:mm:ssZ})");
            errors.ThrowIfAny();
        }

        var report = record.RecordWeeklyHealthReport(entry.ReportedAt, entry.State, entry.Notes, now);
        report.RecordedBy(caller.Agency, caller.ClientId, entry.Key.RequestId, entry.Key.RequestHash);
        db.WeeklyHealthReports.Add(report);
        db.OutboxMessages.Add(OutboxMessage.Create(WeeklyReportClock.Reported(record, report), now));
        await db.SaveChangesAsync(ct);
        outbox.Notify();
        logger.LogInformation("Case {CaseNumber}: weekly health report {State}; next due {Due:u}", record.CaseNumber, report.State, record.WeeklyReportDueBy);
        return new SeriousIllnessResult(record, null, report, Replayed: false);
    }
}
