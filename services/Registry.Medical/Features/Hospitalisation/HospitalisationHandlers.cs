using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Hospitalisation;

/// <summary>What an admission or a discharge answers: the stay and the record as they now stand.</summary>
public sealed record StayResult(MedicalRecord Record, HospitalStay Stay, bool Replayed);

/// <summary>
/// Admits a patient to hospital: the stay, the record's summary (HOSPITALISED since admitted_at) and
/// <see cref="PatientHospitalised"/> for the bus (hospital and date only: no clinical detail) are stored in one
/// transaction (the outbox). Idempotent on request_id. admitted_at is checked against the person's birth and capture
/// (<see cref="MedicalRecord.Dates"/>) and the end of the previous stay (stays do not overlap). The admitting medic is
/// the caller's token.
/// </summary>
public sealed class AdmitToHospitalHandler(MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<AdmitToHospitalHandler> logger)
{
    public async Task<StayResult> HandleAsync(AdmissionCommand admission, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<HospitalStay, StayResult>(db, admission.Key)
        {
            FindPrior = (requestId, token) => db.HospitalStays.AsNoTracking().SingleOrDefaultAsync(s => s.RequestId == requestId, token),
            PriorHash = s => s.RequestHash,
            Replay = async (s, token) => new StayResult(await db.FindRecordAsync(s.CaseId, tracked: false, token), s, Replayed: true),
            Conflict = _ => "request_id was already used for a different admission; use a new request_id.",
        };
        var result = await write.ExecuteAsync(token => LostRace.RetryAsync(db, MedicalRecord.ResourceType, $"cases/{admission.CaseId}", t => AdmitAsync(admission, caller, t), token), ct);
        if (!result.Replayed)
        {
            outbox.Notify();
            logger.LogInformation("Case {CaseNumber} admitted to hospital {Hospital}", result.Record.CaseNumber, result.Stay.Hospital.Describe());
        }

        return result;
    }

    private async Task<StayResult> AdmitAsync(AdmissionCommand admission, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var record = await db.FindRecordAsync(admission.CaseId, tracked: true, ct);
        record.EnsureOpen();
        var errors = new FieldViolations();
        errors.Check("admitted_at", record.Dates.CaptivityProblem(admission.AdmittedAt));
        var lastDischarge = await db.HospitalStays.Where(s => s.CaseId == record.CaseId && s.DischargedAt != null)
            .MaxAsync(s => s.DischargedAt, ct);
        if (lastDischarge is { } left && admission.AdmittedAt < left)
        {
            errors.Add("admitted_at", $"is before the end of the previous hospital stay ({left:yyyy-MM-ddTHH:mm:ssZ}): stays do not overlap");
        }

        errors.ThrowIfAny();
        var stay = record.AdmitToHospital(admission.Hospital, admission.AdmittedAt, admission.Reason, now);
        stay.AdmittedBy(caller.Agency, caller.ClientId, admission.Key.RequestId, admission.Key.RequestHash);
        db.HospitalStays.Add(stay);
        db.OutboxMessages.Add(OutboxMessage.Create(new PatientHospitalised
        {
            CaseId = record.CaseId, HospitalisedAt = admission.AdmittedAt, Hospital = admission.Hospital.Describe(),
        }, now));
        await db.SaveChangesAsync(ct);
        return new StayResult(record, stay, Replayed: false);
    }
}

/// <summary>
/// Ends the open hospital stay of a case (discharged_at not before its admission) and publishes
/// <see cref="PatientDischarged"/> through the outbox, without the outcome or notes. Idempotent on request_id.
/// </summary>
public sealed class DischargeFromHospitalHandler(MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<DischargeFromHospitalHandler> logger)
{
    public async Task<StayResult> HandleAsync(DischargeCommand discharge, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<HospitalStay, StayResult>(db, discharge.Key)
        {
            FindPrior = (requestId, token) => db.HospitalStays.AsNoTracking().SingleOrDefaultAsync(s => s.DischargeRequestId == requestId, token),
            PriorHash = s => s.DischargeRequestHash,
            Replay = async (s, token) => new StayResult(await db.FindRecordAsync(s.CaseId, tracked: false, token), s, Replayed: true),
            Conflict = _ => "request_id was already used for a different discharge; use a new request_id.",
        };
        var result = await write.ExecuteAsync(token => LostRace.RetryAsync(db, MedicalRecord.ResourceType, $"cases/{discharge.CaseId}", t => DischargeAsync(discharge, caller, t), token), ct);
        if (!result.Replayed)
        {
            outbox.Notify();
            logger.LogInformation("Case {CaseNumber} discharged from hospital {Hospital}", result.Record.CaseNumber, result.Stay.Hospital.Describe());
        }

        return result;
    }

    private async Task<StayResult> DischargeAsync(DischargeCommand discharge, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var record = await db.FindRecordAsync(discharge.CaseId, tracked: true, ct);
        record.EnsureOpen();
        var open = await db.OpenStayAsync(record, ct);
        if (open is not null && discharge.DischargedAt < open.AdmittedAt)
        {
            var errors = new FieldViolations();
            errors.Add("discharged_at", $"is before the admission to hospital ({open.AdmittedAt:yyyy-MM-ddTHH:mm:ssZ})");
            errors.ThrowIfAny();
        }

        record.Discharge(open, discharge.DischargedAt, discharge.Outcome, discharge.Notes);
        open!.DischargedBy(caller.Agency, caller.ClientId, discharge.Key.RequestId, discharge.Key.RequestHash);
        db.OutboxMessages.Add(OutboxMessage.Create(new PatientDischarged
        {
            CaseId = record.CaseId, DischargedAt = discharge.DischargedAt, Hospital = open.Hospital.Describe(),
        }, now));
        await db.SaveChangesAsync(ct);
        return new StayResult(record, open, Replayed: false);
    }
}

/// <summary>A case's hospital stays in the order of admission (then as entered), keyset-paged.</summary>
public sealed class ListHospitalStaysHandler(MedicalDbContext db)
{
    public async Task<Page<HospitalStay>> HandleAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.HospitalStays.AsNoTracking().Where(s => s.CaseId == query.CaseId)
            .ToKeysetPageAsync(query.Page, s => s.AdmittedAt, s => s.Id, ct);
    }
}
