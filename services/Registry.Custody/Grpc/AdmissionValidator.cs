using Registry.Custody.Domain;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Grpc;
using Facility = Registry.Custody.Domain.Facility;

namespace Registry.Custody.Grpc;

public sealed record Admission(Guid RequestId, Guid CaseId, Facility Facility, string CustodianAgency, DateTimeOffset AdmittedAt, string? Note);

/// <summary>Checks an admission request, naming every bad field at once.</summary>
public static class AdmissionValidator
{
    public static Admission Validate(AdmitToFacilityRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.Uuid("request_id", request.RequestId, required: true);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        Facility? facility = null;
        if (request.Facility is null)
        {
            errors.Add("facility", "is required: the place of internment the person arrived at");
        }
        else
        {
            var name = errors.Text("facility.name", request.Facility.Name, 200, required: true);
            var locality = errors.Text("facility.locality", request.Facility.Locality, 200, required: false);
            var country = errors.CountryCode("facility.country", request.Facility.Country, required: false);
            facility = name is null ? null : new Facility(name, locality, country);
        }

        var agency = errors.Text("custodian_agency", request.CustodianAgency, 200, required: true);
        var admittedAt = errors.PastTimestamp("admitted_at", request.AdmittedAt, now, required: true);
        var note = errors.Text("note", request.Note, 1000, required: false);
        errors.ThrowIfAny();
        return new Admission(requestId!.Value, caseId!.Value, facility!, agency!, admittedAt!.Value, note);
    }
}
