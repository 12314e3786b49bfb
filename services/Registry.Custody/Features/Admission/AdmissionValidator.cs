using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyEvent = Registry.Custody.Domain.CustodyEvent;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;
using Facility = Registry.Custody.Domain.Facility;

namespace Registry.Custody.Features.Admission;

/// <summary>A validated admission: the typed command <see cref="AdmitToFacilityHandler"/> takes.</summary>
public sealed record AdmissionCommand(IdempotencyKey Key, Guid CaseId, Facility Facility, string CustodianAgency, DateTimeOffset AdmittedAt, string? Note);

/// <summary>Checks an admission request, naming every bad field at once.</summary>
public static class AdmissionValidator
{
    public static AdmissionCommand Validate(AdmitToFacilityRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var facility = FacilityInput.Read(errors, "facility", request.Facility, "the place of internment the person arrived at");

        var agency = errors.Text("custodian_agency", request.CustodianAgency, CustodyRecord.AgencyMaxLength, required: true);
        var admittedAt = errors.PastTimestamp("admitted_at", request.AdmittedAt, now, required: true);
        var note = errors.Text("note", request.Note, CustodyEvent.NoteMaxLength, required: false);
        errors.ThrowIfAny();
        return new AdmissionCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, facility!, agency!, admittedAt!.Value, note);
    }
}
