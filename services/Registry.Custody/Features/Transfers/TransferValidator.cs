using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyEvent = Registry.Custody.Domain.CustodyEvent;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;
using Facility = Registry.Custody.Domain.Facility;

namespace Registry.Custody.Features.Transfers;

/// <summary>A validated start of a transfer (GC III Art. 46-48): the typed command <see cref="TransferCustodyHandler"/> takes.</summary>
public sealed record TransferCommand(
    IdempotencyKey Key, Guid CaseId, Facility Destination, string ReceivingAgency, DateTimeOffset DepartedAt, string Reason, string? OverrideReason);

/// <summary>A validated confirmation of a transfer's arrival: the typed command <see cref="ConfirmTransferArrivalHandler"/> takes.</summary>
public sealed record ArrivalCommand(IdempotencyKey Key, Guid CaseId, string ReceivingAgency, DateTimeOffset ArrivedAt, string? Note);

/// <summary>Checks the transfer requests, naming every bad field at once (INVALID_ARGUMENT with google.rpc.BadRequest).</summary>
public static class TransferValidator
{
    /// <summary>
    /// The most a transfer's reason and its override reason may hold: both go into the TRANSFER_STARTED event's
    /// note (at most <see cref="CustodyEvent.NoteMaxLength"/>) beside medical's verdict.
    /// </summary>
    public const int ReasonMaxLength = 300;

    public static TransferCommand Validate(TransferCustodyRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var destination = Records.FacilityInput.Read(errors, "destination", request.Destination, "the place of internment the person is taken to");

        var agency = errors.Text("receiving_agency", request.ReceivingAgency, CustodyRecord.AgencyMaxLength, required: true);
        var departedAt = errors.PastTimestamp("departed_at", request.DepartedAt, now, required: true);
        var reason = errors.Text("reason", request.Reason, ReasonMaxLength, required: true);
        var overrideReason = errors.Text("override_reason", request.OverrideReason, ReasonMaxLength, required: false);
        errors.ThrowIfAny();
        return new TransferCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, destination!, agency!, departedAt!.Value, reason!,
            string.IsNullOrEmpty(overrideReason) ? null : overrideReason);
    }

    public static ArrivalCommand Validate(ConfirmTransferArrivalRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var agency = errors.Text("receiving_agency", request.ReceivingAgency, CustodyRecord.AgencyMaxLength, required: true);
        var arrivedAt = errors.PastTimestamp("arrived_at", request.ArrivedAt, now, required: true);
        var note = errors.Text("note", request.Note, CustodyEvent.NoteMaxLength, required: false);
        errors.ThrowIfAny();
        return new ArrivalCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, agency!, arrivedAt!.Value,
            string.IsNullOrEmpty(note) ? null : note);
    }
}
