using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using DischargeOutcome = Registry.Medical.Domain.DischargeOutcome;
using HospitalStay = Registry.Medical.Domain.HospitalStay;

namespace Registry.Medical.Features.Hospitalisation;

public sealed record AdmissionCommand(IdempotencyKey Key, Guid CaseId, HospitalRef Hospital, DateTimeOffset AdmittedAt, string Reason);

public sealed record DischargeCommand(IdempotencyKey Key, Guid CaseId, DateTimeOffset DischargedAt, DischargeOutcome Outcome, string? Notes);

/// <summary>Checks admissions and discharges, naming every bad field at once (dates against the record: in the handlers).</summary>
public static class HospitalisationValidator
{
    public static AdmissionCommand Validate(AdmitToHospitalRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        string? name = null, locality = null, country = null;
        if (request.Hospital is null)
        {
            errors.Add("hospital", "is required");
        }
        else
        {
            name = errors.Text("hospital.name", request.Hospital.Name, HospitalRef.NameMaxLength, required: true);
            locality = errors.Text("hospital.locality", request.Hospital.Locality, HospitalRef.LocalityMaxLength, required: false);
            country = errors.CountryCode("hospital.country", request.Hospital.Country, required: true);
        }

        var admittedAt = errors.PastTimestamp("admitted_at", request.AdmittedAt, now, required: true);
        var reason = errors.Text("reason", request.Reason, HospitalStay.ReasonMaxLength, required: true);
        errors.ThrowIfAny();
        return new AdmissionCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, new HospitalRef(name!, locality, country!), admittedAt!.Value, reason!);
    }

    public static DischargeCommand Validate(DischargeFromHospitalRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var dischargedAt = errors.PastTimestamp("discharged_at", request.DischargedAt, now, required: true);
        var outcome = errors.Enum("outcome", request.Outcome, required: true);
        if (outcome == Protos.Medical.V1.DischargeOutcome.Died)
        {
            errors.Add("outcome", "DIED is set by RecordDeath, which ends the stay at the death; record the death instead");
        }

        var notes = errors.Text("notes", request.Notes, HospitalStay.NotesMaxLength, required: false);
        errors.ThrowIfAny();
        return new DischargeCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, dischargedAt!.Value, (DischargeOutcome)(int)outcome!.Value, notes);
    }
}
