using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Features.Admission;

/// <summary>What an admission answers: the record as it now stands and the timeline event it appended.</summary>
public sealed record AdmissionResult(CustodyRecord Record, CustodyEvent Event, bool Replayed);

/// <summary>
/// The person's arrival at a place of internment (GC III Art. 70 counts the capture card's week from it):
/// the record's state machine takes the move, and the record, its new timeline event and
/// <see cref="CustodyAdmitted"/> for the bus are stored in one transaction. Idempotent on request_id.
/// </summary>
public sealed class AdmitToFacilityHandler(
    CustodyDbContext db, OutboxSignal<CustodyDbContext> outbox, TimeProvider clock, ILogger<AdmitToFacilityHandler> logger)
{
    public async Task<AdmissionResult> HandleAsync(AdmissionCommand admission, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var write = new IdempotentWrite<CustodyEvent, AdmissionResult>(db, admission.Key)
        {
            FindPrior = (requestId, token) => db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = async (e, token) => new AdmissionResult(await db.FindRecordAsync(e.CaseId, tracked: false, token), e, Replayed: true),
            Conflict = _ => "request_id was already used for a different custody request; use a new request_id.",
        };

        try
        {
            return await write.ExecuteAsync(token => AdmitAsync(admission, now, token), ct);
        }
        catch (DbUpdateException)
        {
            // Another move of this record got in first (its version moved): the rule that now applies answers.
            db.ChangeTracker.Clear();
            var current = await db.FindRecordAsync(admission.CaseId, tracked: false, CancellationToken.None);
            current.Admit(admission.Facility, admission.CustodianAgency, admission.AdmittedAt, admission.Note, now);
            throw;
        }
    }

    private async Task<AdmissionResult> AdmitAsync(AdmissionCommand admission, DateTimeOffset now, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(admission.CaseId, tracked: true, ct);
        // The shared date rules (DateRules): not before the capture, not before the person's birth.
        var errors = new FieldViolations();
        errors.Check("admitted_at", record.Dates.CaptivityProblem(admission.AdmittedAt));
        errors.ThrowIfAny();
        var admitted = record.Admit(admission.Facility, admission.CustodianAgency, admission.AdmittedAt, admission.Note, now);
        admitted.AnswersRequest(admission.Key.RequestId, admission.Key.RequestHash);
        db.Events.Add(admitted);
        db.OutboxMessages.Add(OutboxMessage.Create(new CustodyAdmitted
        {
            CaseId = record.CaseId,
            AdmittedAt = admission.AdmittedAt,
            Facility = admission.Facility.Name,
            Locality = admission.Facility.Locality,
            Country = admission.Facility.Country,
            CustodianAgency = admission.CustodianAgency,
        }, now));
        await db.SaveChangesAsync(ct);

        outbox.Notify();
        logger.LogInformation("Case {CaseNumber} admitted to {Facility} under {Agency}",
            record.CaseNumber, admission.Facility.Describe(), admission.CustodianAgency);
        return new AdmissionResult(record, admitted, Replayed: false);
    }
}
