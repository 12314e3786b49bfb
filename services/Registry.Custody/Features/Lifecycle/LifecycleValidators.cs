using Registry.Custody.Domain;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyEvent = Registry.Custody.Domain.CustodyEvent;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;
using Facility = Registry.Custody.Domain.Facility;

namespace Registry.Custody.Features.Lifecycle;

/// <summary>A validated escape (GC III Art. 91-94).</summary>
public sealed record EscapeCommand(IdempotencyKey Key, Guid CaseId, DateTimeOffset EscapedAt, string? Circumstances);

/// <summary>A validated recapture: where the person is held again and by whom.</summary>
public sealed record RecaptureCommand(IdempotencyKey Key, Guid CaseId, DateTimeOffset RecapturedAt, Facility Facility, string CustodianAgency, string? Note);

/// <summary>A validated release from captivity on <see cref="Grounds"/>.</summary>
public sealed record ReleaseCommand(IdempotencyKey Key, Guid CaseId, DateTimeOffset ReleasedAt, ReleaseGrounds Grounds, string? Note)
{
    /// <summary>The grounds in words, with the article of GC III they rest on, for the timeline's note.</summary>
    public string GroundsText => Grounds switch
    {
        ReleaseGrounds.Parole => "released on parole (GC III Art. 21)",
        ReleaseGrounds.CloseOfHostilities => "released at the close of active hostilities (GC III Art. 118)",
        ReleaseGrounds.StatusDetermined => "released: found by a competent tribunal not to be a prisoner of war (GC III Art. 5)",
        _ => "released on other grounds",
    };
}

/// <summary>Checks the lifecycle requests (escape, recapture, release), naming every bad field at once; nothing is stored on bad input.</summary>
public static class LifecycleValidators
{
    public static EscapeCommand Validate(RecordEscapeRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var escapedAt = errors.PastTimestamp("escaped_at", request.EscapedAt, now, required: true);
        var circumstances = errors.Text("circumstances", request.Circumstances, CustodyEvent.NoteMaxLength, required: false);
        errors.ThrowIfAny();
        return new EscapeCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, escapedAt!.Value, circumstances);
    }

    public static RecaptureCommand Validate(RecordRecaptureRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var recapturedAt = errors.PastTimestamp("recaptured_at", request.RecapturedAt, now, required: true);
        var facility = Records.FacilityInput.Read(errors, "facility", request.Facility, "the place where the person is held again");
        var agency = errors.Text("custodian_agency", request.CustodianAgency, CustodyRecord.AgencyMaxLength, required: true);
        var note = errors.Text("note", request.Note, CustodyEvent.NoteMaxLength, required: false);
        errors.ThrowIfAny();
        return new RecaptureCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, recapturedAt!.Value, facility!, agency!, note);
    }

    public static ReleaseCommand Validate(ReleaseFromCustodyRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var releasedAt = errors.PastTimestamp("released_at", request.ReleasedAt, now, required: true);
        var grounds = errors.Enum("grounds", request.Grounds, required: true);
        var note = errors.Text("note", request.Note, CustodyEvent.NoteMaxLength, required: grounds == ReleaseGrounds.Other);
        errors.ThrowIfAny();
        return new ReleaseCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, releasedAt!.Value, grounds!.Value, note);
    }
}
