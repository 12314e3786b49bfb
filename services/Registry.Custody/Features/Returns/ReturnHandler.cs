using Registry.ServiceDefaults.Validation;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Fitness;
using Registry.Custody.Features.Records;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Returns;

/// <summary>What a return answers: the record as it now stands, the timeline event, the third-state transfer's assurance (if one), and whether this was a replay.</summary>
public sealed record ReturnResult(CustodyRecord Record, CustodyEvent Event, ThirdStateTransfer? Transfer, bool Replayed);

/// <summary>
/// The ways out of captivity to another state: repatriation (GC III Art. 109-119) and transfer to a third state party to
/// the Convention (Art. 12(2)). Each runs, in this order: the record's own rules by a trial move on an untracked copy
/// (CASE_MERGED, the transition, the dates, NON_REFOULEMENT_HOLD: a person who cannot go is refused without asking
/// medical); for a third state, the assurance (THIRD_STATE_NOT_ASSURED); the fitness question to medical
/// (<see cref="MedicalFitness"/>: repatriation follows the transfer rules, Art. 119 by Art. 46-48); then the move on the
/// tracked record, its event, <see cref="CaptivityEnded"/> for the bus and (third state) the assurance, in one
/// transaction. Idempotent on request_id; the record's version guards the move against another one meanwhile.
/// </summary>
public sealed class ReturnHandler(
    CustodyDbContext db, MedicalFitness fitness, OutboxSignal<CustodyDbContext> outbox, TimeProvider clock, ILogger<ReturnHandler> logger)
{
    public Task<ReturnResult> RepatriateAsync(RepatriationCommand c, CancellationToken ct) =>
        Idempotent(c.Key, c.CaseId, async token =>
        {
            var now = clock.GetUtcNow().ToMicroseconds();
            var probe = await db.FindRecordAsync(c.CaseId, tracked: false, token);
            var errors = new FieldViolations();
            errors.Check("repatriated_at", probe.Dates.CaptivityProblem(c.RepatriatedAt));
            if (probe.Facility?.Country is { } detaining && detaining == c.ToState)
            {
                errors.Add("to_state", $"{c.ToState} is the state where the person is held: a repatriation goes to the power on which they depend");
            }

            errors.ThrowIfAny();
            probe.Repatriate(c.RepatriatedAt, null, now);
            var check = await fitness.CheckAsync(c.CaseId, FitnessPurpose.Repatriation, c.RepatriatedAt, c.FitnessOverrideReason, probe.Subject, token);
            var note = Note($"to {c.ToState} {c.Via}", check.Describe(), c.Note);
            return await MoveAsync(c.Key, c.CaseId, record => record.Repatriate(c.RepatriatedAt, note, now), null, record => new CaptivityEnded
            {
                CaseId = record.CaseId,
                EndedAt = c.RepatriatedAt,
                Way = "REPATRIATED",
                ToState = c.ToState,
                Detail = note,
            }, now, token);
        }, ct);

    public Task<ReturnResult> TransferToThirdStateAsync(ThirdStateCommand c, CallerIdentity caller, CancellationToken ct) =>
        Idempotent(c.Key, c.CaseId, async token =>
        {
            var now = clock.GetUtcNow().ToMicroseconds();
            var probe = await db.FindRecordAsync(c.CaseId, tracked: false, token);
            var errors = new FieldViolations();
            errors.Check("transferred_at", probe.Dates.CaptivityProblem(c.TransferredAt));
            if (probe.Facility?.Country is { } detaining && detaining == c.Receiving.Country)
            {
                errors.Add("receiving_state", $"{detaining} is the state where the person is held: a move within it is a transfer, not a transfer to another power");
            }

            errors.ThrowIfAny();
            probe.TransferToThirdState(c.Receiving, c.ReceivingAuthority, c.TransferredAt, null, now);
            if (c.Assurance.Missing() is { Count: > 0 } missing)
            {
                throw new RuleViolationException("THIRD_STATE_NOT_ASSURED", CustodyRecord.ResourceType, probe.Subject,
                    $"A prisoner of war may be transferred only to a party to the Convention after the detaining power has satisfied itself of its willingness and ability to apply it (GC III Art. 12(2)); missing: {string.Join("; ", missing)}.");
            }

            var assurance = c.Assurance.Complete();
            var check = await fitness.CheckAsync(c.CaseId, FitnessPurpose.Transfer, c.TransferredAt, c.FitnessOverrideReason, probe.Subject, token);
            var note = Note($"to {c.ReceivingAuthority}, {c.Receiving.Country}", assurance.Describe(), check.Describe(), c.Note);
            return await MoveAsync(c.Key, c.CaseId,
                record => record.TransferToThirdState(c.Receiving, c.ReceivingAuthority, c.TransferredAt, note, now),
                e => ThirdStateTransfer.Of(e, c.ReceivingAuthority, assurance, caller.Agency, caller.ClientId, now),
                record => new CaptivityEnded
                {
                    CaseId = record.CaseId,
                    EndedAt = c.TransferredAt,
                    Way = "TRANSFERRED_TO_THIRD_STATE",
                    ToState = c.Receiving.Country,
                    Detail = note,
                }, now, token);
        }, ct);

    /// <summary>
    /// The event's note: the parts that are given, one line, cut to <see cref="CustodyEvent.NoteMaxLength"/> (only a
    /// medical verdict with long conditions can reach it; medical keeps the assessment whole).
    /// </summary>
    private static string Note(params string?[] parts)
    {
        var note = string.Join("; ", parts.Where(p => !string.IsNullOrWhiteSpace(p)));
        return TextRules.Cut(note, CustodyEvent.NoteMaxLength, ellipsis: true);
    }

    private Task<ReturnResult> Idempotent(IdempotencyKey key, Guid caseId, Func<CancellationToken, Task<ReturnResult>> write, CancellationToken ct)
    {
        var idempotent = new IdempotentWrite<CustodyEvent, ReturnResult>(db, key)
        {
            FindPrior = (requestId, token) => db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = async (e, token) => new ReturnResult(
                await db.FindRecordAsync(e.CaseId, tracked: false, token), e,
                await db.ThirdStateTransfers.AsNoTracking().SingleOrDefaultAsync(t => t.CaseId == e.CaseId && t.EventSequence == e.Sequence, token),
                Replayed: true),
            Conflict = _ => "request_id was already used for a different custody request; use a new request_id.",
        };
        return idempotent.ExecuteAsync(write, ct);
    }

    private Task<ReturnResult> MoveAsync(
        IdempotencyKey key, Guid caseId, Func<CustodyRecord, CustodyEvent> move, Func<CustodyEvent, ThirdStateTransfer>? transferOf,
        Func<CustodyRecord, CaptivityEnded> ended, DateTimeOffset now, CancellationToken ct) =>
        LostRace.RetryOnVersionAsync(db, CustodyRecord.ResourceType, $"cases/{caseId}", async ct =>
        {
            var record = await db.FindRecordAsync(caseId, tracked: true, ct);
            var e = move(record);
            e.AnswersRequest(key.RequestId, key.RequestHash);
            db.Events.Add(e);
            var transfer = transferOf?.Invoke(e);
            if (transfer is not null)
            {
                db.ThirdStateTransfers.Add(transfer);
            }

            db.OutboxMessages.Add(OutboxMessage.Create(ended(record), now));
            await db.SaveChangesAsync(ct);

            outbox.Notify();
            logger.LogInformation("Case {CaseNumber}: captivity ended {State} at {At:u}", record.CaseNumber, record.State, e.OccurredAt);
            return new ReturnResult(record, e, transfer, Replayed: false);
        }, ct);
}
