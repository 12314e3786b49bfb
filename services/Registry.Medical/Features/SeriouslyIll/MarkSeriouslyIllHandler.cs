using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.SeriouslyIll;

/// <summary>What a mark, an unmark or a weekly report answers: the record as it now stands, the spell, the report.</summary>
public sealed record SeriousIllnessResult(MedicalRecord Record, SeriousIllness? Illness, WeeklyHealthReport? Report, bool Replayed);

/// <summary>
/// Marks a person seriously ill or wounded (GC III Art. 122): the summary says SERIOUSLY_ILL and the weekly report clock
/// starts, published as SeriouslyIllMarked in the same transaction. Idempotent on request_id; who marked comes from the
/// caller's token (<see cref="AccessContext.Caller"/>). Writes on one record are serialised by its version. A since
/// before the end of the record's previous spell is INVALID_ARGUMENT on <c>since</c>: spells do not overlap.
/// </summary>
public sealed class MarkSeriouslyIllHandler(MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<MarkSeriouslyIllHandler> logger)
{
    public Task<SeriousIllnessResult> HandleAsync(SeriouslyIllMark mark, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<SeriousIllness, SeriousIllnessResult>(db, mark.Key)
        {
            FindPrior = (requestId, token) => db.SeriousIllnesses.AsNoTracking().SingleOrDefaultAsync(i => i.RequestId == requestId, token),
            PriorHash = i => i.RequestHash,
            Replay = async (i, token) => new SeriousIllnessResult(await db.FindRecordAsync(i.CaseId, tracked: false, token), i, null, Replayed: true),
            Conflict = _ => "request_id was already used for a different mark; use a new request_id.",
        };
        return write.ExecuteAsync(token => LostRace.RetryOnVersionAsync(db, MedicalRecord.ResourceType, $"cases/{mark.CaseId}", t => MarkAsync(mark, caller, t), token), ct);
    }

    private async Task<SeriousIllnessResult> MarkAsync(SeriouslyIllMark mark, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var record = await db.FindRecordAsync(mark.CaseId, tracked: true, ct);
        record.EnsureOpen();
        // The shared date rules (DateRules): not before the capture, not before the person's birth; and not inside the
        // latest ended spell (spells do not overlap). A record still marked is refused ALREADY_SERIOUSLY_ILL by the record.
        var previousUntil = await PreviousUntilAsync(record, ct);
        var errors = new FieldViolations();
        errors.Check("since", record.Dates.CaptivityProblem(mark.Since));
        if (record.SeriouslyIllSince is null && mark.Since < previousUntil)
        {
            errors.Add("since", $"must not be before the end of the previous seriously-ill spell ({previousUntil:yyyy-MM-ddTHH:mm:ssZ})");
        }

        errors.ThrowIfAny();
        var illness = record.MarkSeriouslyIll(mark.Since, mark.Grounds, previousUntil, now);
        illness.MarkedBy(caller.Agency, caller.ClientId, mark.Key.RequestId, mark.Key.RequestHash);
        db.SeriousIllnesses.Add(illness);
        db.OutboxMessages.Add(OutboxMessage.Create(WeeklyReportClock.Marked(record), now));
        await db.SaveChangesAsync(ct);
        outbox.Notify();
        logger.LogInformation("Case {CaseNumber} marked seriously ill or wounded since {Since:u}; weekly report due {Due:u}",
            record.CaseNumber, mark.Since, record.WeeklyReportDueBy);
        return new SeriousIllnessResult(record, illness, null, Replayed: false);
    }

    /// <summary>The end of the record's latest ended spell (its until), or null when none ended.</summary>
    private Task<DateTimeOffset?> PreviousUntilAsync(MedicalRecord record, CancellationToken ct) =>
        db.SeriousIllnesses.AsNoTracking()
            .Where(i => i.CaseId == record.CaseId && i.Until != null)
            .OrderByDescending(i => i.Until)
            .Select(i => i.Until)
            .FirstOrDefaultAsync(ct);
}
