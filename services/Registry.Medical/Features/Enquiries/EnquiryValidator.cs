using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Enquiry = Registry.Medical.Domain.Enquiry;
using EnquiryGrounds = Registry.Medical.Domain.EnquiryGrounds;
using EnquiryStatus = Registry.Medical.Domain.EnquiryStatus;

namespace Registry.Medical.Features.Enquiries;

public sealed record OpenEnquiryCommand(IdempotencyKey Key, Guid CaseId, EnquiryGrounds Grounds, DateTimeOffset OccurredAt, string Circumstances);

public sealed record CloseEnquiryCommand(IdempotencyKey Key, Guid EnquiryId, string Findings);

public sealed record EnquiryQuery(EnquiryStatus? Status, Guid? CaseId, PageRequest Page);

/// <summary>Checks enquiry requests, naming every bad field at once.</summary>
public static class EnquiryValidator
{
    public static OpenEnquiryCommand Validate(OpenEnquiryRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var grounds = errors.Enum("grounds", request.Grounds, required: true);

        var occurredAt = errors.PastTimestamp("occurred_at", request.OccurredAt, now, required: true);
        var circumstances = errors.Text("circumstances", request.Circumstances, Enquiry.CircumstancesMaxLength, required: true);
        errors.ThrowIfAny();
        return new OpenEnquiryCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, (EnquiryGrounds)(int)grounds!.Value, occurredAt!.Value, circumstances!);
    }

    public static CloseEnquiryCommand Validate(CloseEnquiryRequest request)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var enquiryId = errors.Uuid("enquiry_id", request.EnquiryId, required: true);
        var findings = errors.Text("findings", request.Findings, Enquiry.FindingsMaxLength, required: true);
        errors.ThrowIfAny();
        return new CloseEnquiryCommand(IdempotencyKey.Of(requestId!.Value, request), enquiryId!.Value, findings!);
    }

    public static EnquiryQuery Validate(ListEnquiriesRequest request)
    {
        var errors = new FieldViolations();
        var status = errors.Enum("status", request.Status, required: false);
        var caseId = errors.Uuid("case_id", request.CaseId, required: false);
        var page = errors.Page(request.PageSize, request.PageToken, $"enquiries/{(int?)status}/{caseId}");
        errors.ThrowIfAny();
        return new EnquiryQuery(status is null ? null : (EnquiryStatus)(int)status.Value, caseId, page);
    }
}
