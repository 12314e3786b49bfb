using Registry.ServiceDefaults.Validation;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Features.Lifecycle;

/// <summary>What a lifecycle move answers: the record as it now stands, the timeline event it appended, whether it was replayed.</summary>
public sealed record LifecycleResult(CustodyRecord Record, CustodyEvent Event, bool Replayed);

/// <summary>
/// The moves a custodian records on a case (escape, recapture, release): the record's state machine takes the move
/// (CustodyRecord.Lifecycle.cs), and the record, its new timeline event and the bus event (<see cref="PrisonerEscaped"/>,
/// <see cref="PrisonerRecaptured"/>, <see cref="CaptivityEnded"/>) are stored in one transaction through the outbox.
/// Idempotent on request_id (kept on the event); a concurrent move of the same record (its version moved) makes the
/// attempt read afresh and try again, so the rule that then applies answers.
/// </summary>
public sealed class LifecycleMoveHandler(
    CustodyDbContext db, OutboxSignal<CustodyDbContext> outbox, TimeProvider clock, ILogger<LifecycleMoveHandler> logger)
{
    public Task<LifecycleResult> EscapeAsync(EscapeCommand c, CancellationToken ct) =>
        MoveAsync(c.Key, c.CaseId, "escaped_at", c.EscapedAt, (record, now) =>
        {
            var from = WhereFrom(record);
            var escaped = record.Escape(c.EscapedAt, c.Circumstances, now);
            return (escaped, new PrisonerEscaped { CaseId = record.CaseId, EscapedAt = c.EscapedAt, From = from });
        }, ct);

    public Task<LifecycleResult> RecaptureAsync(RecaptureCommand c, CancellationToken ct) =>
        MoveAsync(c.Key, c.CaseId, "recaptured_at", c.RecapturedAt, (record, now) =>
        {
            var recaptured = record.Recapture(c.Facility, c.CustodianAgency, c.RecapturedAt, c.Note, now);
            return (recaptured, new PrisonerRecaptured
            {
                CaseId = record.CaseId,
                RecapturedAt = c.RecapturedAt,
                Facility = c.Facility.Name,
                Locality = c.Facility.Locality,
                Country = c.Facility.Country,
                CustodianAgency = c.CustodianAgency,
            });
        }, ct);

    public Task<LifecycleResult> ReleaseAsync(ReleaseCommand c, CancellationToken ct) =>
        MoveAsync(c.Key, c.CaseId, "released_at", c.ReleasedAt, (record, now) =>
        {
            var note = c.Note is null ? c.GroundsText : $"{c.GroundsText}: {c.Note}";
            if (note.Length > CustodyEvent.NoteMaxLength)
            {
                note = TextRules.Cut(note, CustodyEvent.NoteMaxLength);
            }

            var released = record.Release(c.ReleasedAt, note, now);
            return (released, new CaptivityEnded
            {
                CaseId = record.CaseId,
                EndedAt = c.ReleasedAt,
                Way = "RELEASED",
                Detail = note,
                ToState = null,
            });
        }, ct);

    /// <summary>Where an escape was from, as PrisonerEscaped says it: the hospital, the transfer, the place of internment, or the place of capture.</summary>
    private static string WhereFrom(CustodyRecord record) => record.State switch
    {
        CustodyState.Hospitalised when record.Hospital is { } hospital => $"hospital {hospital}",
        CustodyState.InTransfer => $"transfer from {record.Facility?.Describe() ?? "the place of capture"} to {record.TransferTo?.Describe()}",
        _ when record.Facility is { } facility => facility.Describe(),
        _ => $"custody of {record.CustodianAgency} awaiting admission (captured at {record.CapturePlace})",
    };

    private Task<LifecycleResult> MoveAsync<TMessage>(
        IdempotencyKey key, Guid caseId, string dateField, DateTimeOffset at, Func<CustodyRecord, DateTimeOffset, (CustodyEvent, TMessage)> move,
        CancellationToken ct)
        where TMessage : class
    {
        var write = new IdempotentWrite<CustodyEvent, LifecycleResult>(db, key)
        {
            FindPrior = (requestId, token) => db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = async (e, token) => new LifecycleResult(await db.FindRecordAsync(e.CaseId, tracked: false, token), e, Replayed: true),
            Conflict = _ => "request_id was already used for a different custody request; use a new request_id.",
        };
        return write.ExecuteAsync(token => LostRace.RetryOnVersionAsync(db, CustodyRecord.ResourceType, $"cases/{caseId}", async t =>
        {
            var now = clock.GetUtcNow().ToMicroseconds();
            var record = await db.FindRecordAsync(caseId, tracked: true, t);
            // The shared date rules (DateRules): not before the capture, not before the person's birth.
            var errors = new FieldViolations();
            errors.Check(dateField, record.Dates.CaptivityProblem(at));
            errors.ThrowIfAny();
            var (e, message) = move(record, now);
            e.AnswersRequest(key.RequestId, key.RequestHash);
            db.Events.Add(e);
            db.OutboxMessages.Add(OutboxMessage.Create(message, now));
            await db.SaveChangesAsync(t);
            outbox.Notify();
            logger.LogInformation("Case {CaseNumber}: {Kind} at {At:u}, now {State}", record.CaseNumber, e.Kind, at, record.State);
            return new LifecycleResult(record, e, Replayed: false);
        }, token), ct);
    }
}
