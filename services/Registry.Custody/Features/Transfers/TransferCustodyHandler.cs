using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Fitness;
using Registry.Custody.Features.Records;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Features.Transfers;

/// <summary>What a transfer's start or arrival answers: the record as it now stands and the timeline event it appended.</summary>
public sealed record TransferResult(CustodyRecord Record, CustodyEvent Event, bool Replayed);

/// <summary>
/// Starts a transfer of a held person to another place of internment, under the same agency or another (GC III
/// Art. 46-48). In this order: the record's state machine is asked on an untracked copy (so a refused move never
/// costs a call to medical, and an illegal move answers as such, not as a fitness problem); medical is asked whether
/// the person is fit for transfer at the departure (<see cref="MedicalFitness"/>: Art. 46-47 forbid a transfer that
/// endangers the person; unfit, no assessment in force, or medical unreachable refuse it unless an override reason
/// is recorded), with no transaction open; then the record takes the move (TRANSFER_STARTED, its note the reason and
/// medical's answer) and is saved, the read-check-write run again if another move of the record got in between.
/// Nothing is published: the person reaches the new place at the confirmed arrival
/// (<see cref="ConfirmTransferArrivalHandler"/>). Idempotent on request_id.
/// </summary>
public sealed class TransferCustodyHandler(CustodyDbContext db, MedicalFitness fitness, TimeProvider clock, ILogger<TransferCustodyHandler> logger)
{
    public async Task<TransferResult> HandleAsync(TransferCommand transfer, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var write = new IdempotentWrite<CustodyEvent, TransferResult>(db, transfer.Key)
        {
            FindPrior = (requestId, token) => db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = async (e, token) => new TransferResult(await db.FindRecordAsync(e.CaseId, tracked: false, token), e, Replayed: true),
            Conflict = _ => "request_id was already used for a different custody request; use a new request_id.",
        };
        return await write.ExecuteAsync(token => TransferAsync(transfer, now, token), ct);
    }

    private async Task<TransferResult> TransferAsync(TransferCommand transfer, DateTimeOffset now, CancellationToken ct)
    {
        // The rules first, on a copy that is never saved: a move the record refuses answers with its reason.
        var current = await db.FindRecordAsync(transfer.CaseId, tracked: false, ct);
        var errors = new FieldViolations();
        errors.Check("departed_at", current.Dates.CaptivityProblem(transfer.DepartedAt));
        errors.ThrowIfAny();
        current.BeginTransfer(transfer.Destination, transfer.ReceivingAgency, transfer.DepartedAt, transfer.Reason, now);

        var check = await fitness.CheckAsync(transfer.CaseId, FitnessPurpose.Transfer, transfer.DepartedAt, transfer.OverrideReason, current.Subject, ct);
        var note = Note(transfer.Reason, check);

        return await LostRace.RetryOnVersionAsync(db, CustodyRecord.ResourceType, current.Subject, async token =>
        {
            var record = await db.FindRecordAsync(transfer.CaseId, tracked: true, token);
            var started = record.BeginTransfer(transfer.Destination, transfer.ReceivingAgency, transfer.DepartedAt, note, now);
            started.AnswersRequest(transfer.Key.RequestId, transfer.Key.RequestHash);
            db.Events.Add(started);
            await db.SaveChangesAsync(token);
            logger.LogInformation("Case {CaseNumber} left {From} for {To} under {Agency} ({Fitness})",
                record.CaseNumber, record.Facility?.Describe(), transfer.Destination.Describe(), transfer.ReceivingAgency, check.Describe());
            return new TransferResult(record, started, Replayed: false);
        }, ct);
    }

    /// <summary>
    /// The TRANSFER_STARTED event's note: the reason, then medical's verdict and any override (<see cref="FitnessCheck.Describe"/>,
    /// which never carries the conditions' text). Reason and override are at most <see cref="TransferValidator.ReasonMaxLength"/>
    /// each, so the note stays within <see cref="CustodyEvent.NoteMaxLength"/>.
    /// </summary>
    public static string Note(string reason, FitnessCheck check) => $"{reason}; {check.Describe()}";
}
