using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Returns;

/// <summary>What an assessment or a wish answers: the entry as stored, the record as it now stands, and whether this was a replay.</summary>
public sealed record ReturnEntryResult<T>(T Entry, CustodyRecord Record, bool Replayed);

/// <summary>
/// Enters a non-refoulement risk assessment (GC III Art. 118; ICRC Commentary 2020) into the case's history, the record
/// keeping the latest level, and appends it to the hash-chained timeline (<see cref="CustodyEventKind.ReturnRiskAssessed"/>:
/// the level and when), in one transaction. A record whose standing assessment was entered before assessments were
/// timeline events gets that one appended first (<see cref="CustodyRecord.AssessReturnRisk"/>); rows entered before stay
/// as they are (no migration appends events for them: VerifyCustodyChain compares the risk only once the timeline states one). Idempotent on request_id. Who entered it is the caller's verified token
/// (agency, client), never the request. The record's version guards it against a merge or another write meanwhile.
/// </summary>
public sealed class AssessReturnRiskHandler(CustodyDbContext db, TimeProvider clock, ILogger<AssessReturnRiskHandler> logger)
{
    public Task<ReturnEntryResult<ReturnRiskAssessment>> HandleAsync(ReturnRiskEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<ReturnRiskAssessment, ReturnEntryResult<ReturnRiskAssessment>>(db, entry.Key)
        {
            FindPrior = (requestId, token) => db.ReturnRiskAssessments.AsNoTracking().SingleOrDefaultAsync(a => a.RequestId == requestId, token),
            PriorHash = a => a.RequestHash,
            Replay = async (a, token) => new(a, await db.FindRecordAsync(a.CaseId, tracked: false, token), Replayed: true),
            Conflict = _ => "request_id was already used for a different risk assessment; use a new request_id.",
        };
        return write.ExecuteAsync(token => AssessAsync(entry, caller, token), ct);
    }

    private Task<ReturnEntryResult<ReturnRiskAssessment>> AssessAsync(ReturnRiskEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        return LostRace.RetryOnVersionAsync(db, CustodyRecord.ResourceType, $"cases/{entry.CaseId}", async ct =>
        {
            var record = await db.FindRecordAsync(entry.CaseId, tracked: true, ct);
            // The shared date rules (DateRules): not before the capture, not before the person's birth.
            var errors = new FieldViolations();
            errors.Check("assessed_at", record.Dates.CaptivityProblem(entry.AssessedAt));
            errors.ThrowIfAny();
            var standingInTimeline = record.ReturnRiskAssessedAt is null
                || await db.Events.AnyAsync(e => e.CaseId == record.CaseId && e.Kind == CustodyEventKind.ReturnRiskAssessed, ct);
            var (assessment, events) = ReturnRiskAssessment.Assess(record, entry.Level, entry.Grounds, entry.AssessedAt, entry.AssessedBy,
                caller.Agency, caller.ClientId, now, standingInTimeline);
            assessment.AnswersRequest(entry.Key.RequestId, entry.Key.RequestHash);
            db.ReturnRiskAssessments.Add(assessment);
            db.Events.AddRange(events);
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Case {CaseNumber}: return risk assessed {Level} at {AssessedAt:u} by {Agency}",
                record.CaseNumber, entry.Level, entry.AssessedAt, caller.Agency);
            return new ReturnEntryResult<ReturnRiskAssessment>(assessment, record, Replayed: false);
        }, ct);
    }
}

/// <summary>A case's risk assessments, the latest assessed first (then the latest entered), keyset-paged.</summary>
public sealed class ListReturnRiskAssessmentsHandler(CustodyDbContext db)
{
    public async Task<Page<ReturnRiskAssessment>> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.ReturnRiskAssessments.AsNoTracking().Where(a => a.CaseId == query.CaseId)
            .ToKeysetPageDescendingAsync(query.Page, a => a.AssessedAt, a => a.Id, ct);
    }
}

/// <summary>
/// Enters the person's wish about return, taken in a private interview (GC III Art. 126), into the case's history, the
/// record keeping the latest, and appends it to the timeline (<see cref="CustodyEventKind.ReturnWishRecorded"/>: the wish
/// and when, nothing of the interview), a standing wish recorded before wishes were events first, as for assessments. Idempotent on request_id; the recording agency and client come from the caller's token.
/// </summary>
public sealed class RecordReturnWishHandler(CustodyDbContext db, TimeProvider clock, ILogger<RecordReturnWishHandler> logger)
{
    public Task<ReturnEntryResult<ReturnWishRecord>> HandleAsync(ReturnWishEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<ReturnWishRecord, ReturnEntryResult<ReturnWishRecord>>(db, entry.Key)
        {
            FindPrior = (requestId, token) => db.ReturnWishes.AsNoTracking().SingleOrDefaultAsync(w => w.RequestId == requestId, token),
            PriorHash = w => w.RequestHash,
            Replay = async (w, token) => new(w, await db.FindRecordAsync(w.CaseId, tracked: false, token), Replayed: true),
            Conflict = _ => "request_id was already used for a different wish; use a new request_id.",
        };
        return write.ExecuteAsync(token => RecordAsync(entry, caller, token), ct);
    }

    private Task<ReturnEntryResult<ReturnWishRecord>> RecordAsync(ReturnWishEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        return LostRace.RetryOnVersionAsync(db, CustodyRecord.ResourceType, $"cases/{entry.CaseId}", async ct =>
        {
            var record = await db.FindRecordAsync(entry.CaseId, tracked: true, ct);
            var errors = new FieldViolations();
            errors.Check("taken_at", record.Dates.CaptivityProblem(entry.TakenAt));
            errors.ThrowIfAny();
            var standingInTimeline = record.ReturnWishRecordedAt is null
                || await db.Events.AnyAsync(e => e.CaseId == record.CaseId && e.Kind == CustodyEventKind.ReturnWishRecorded, ct);
            var (wish, events) = ReturnWishRecord.Take(record, entry.Wish, entry.TakenAt, entry.TakenBy, entry.Note, caller.Agency, caller.ClientId, now,
                standingInTimeline);
            wish.AnswersRequest(entry.Key.RequestId, entry.Key.RequestHash);
            db.ReturnWishes.Add(wish);
            db.Events.AddRange(events);
            await db.SaveChangesAsync(ct);
            // The wish itself is not logged: only that one was recorded.
            logger.LogInformation("Case {CaseNumber}: a wish about return recorded by {Agency}", record.CaseNumber, caller.Agency);
            return new ReturnEntryResult<ReturnWishRecord>(wish, record, Replayed: false);
        }, ct);
    }
}

/// <summary>A case's recorded wishes, the latest taken first, keyset-paged.</summary>
public sealed class ListReturnWishesHandler(CustodyDbContext db)
{
    public async Task<Page<ReturnWishRecord>> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.ReturnWishes.AsNoTracking().Where(w => w.CaseId == query.CaseId)
            .ToKeysetPageDescendingAsync(query.Page, w => w.TakenAt, w => w.Id, ct);
    }
}
