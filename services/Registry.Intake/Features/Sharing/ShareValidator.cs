using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Sharing;

/// <summary>A validated ListShares request.</summary>
public sealed record ShareQuery(Guid? CaseId, string? PartnerAgency, bool IncludeEnded, PageRequest Page);

/// <summary>Checks the sharing requests, naming every bad field.</summary>
public static class ShareValidator
{
    public static ShareRequest Validate(ShareCaseRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var partner = errors.AgencyCode("partner_agency", request.PartnerAgency, required: true);
        var purpose = errors.Text("purpose", request.Purpose, CaseShare.PurposeMaxLength, required: true);
        var validUntil = errors.Instant("valid_until", request.ValidUntil);
        if (request.ValidUntil is null)
        {
            errors.Add("valid_until", "is required");
        }
        else if (validUntil is { } until)
        {
            if (until <= now)
            {
                errors.Add("valid_until", "must be in the future");
            }
            else if (until > now.AddDays(CaseShare.MaxValidityDays))
            {
                errors.Add("valid_until", $"must be at most {CaseShare.MaxValidityDays} days ahead; share again to go on");
            }
        }

        errors.ThrowIfAny();
        return new ShareRequest(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, partner!, purpose!, validUntil!.Value.ToMicroseconds());
    }

    public static ShareRevocation Validate(RevokeShareRequest request)
    {
        var errors = new FieldViolations();
        var shareId = errors.Uuid("share_id", request.ShareId, required: true);
        var reason = errors.Text("reason", request.Reason, CaseShare.ReasonMaxLength, required: true);
        errors.ThrowIfAny();
        return new ShareRevocation(shareId!.Value, reason!);
    }

    public static ShareQuery Validate(ListSharesRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: false);
        var partner = errors.AgencyCode("partner_agency", request.PartnerAgency, required: false);
        var page = errors.Page(request.PageSize, request.PageToken, $"shares/{caseId}/{partner}/{request.IncludeEnded}");
        errors.ThrowIfAny();
        return new ShareQuery(caseId, partner, request.IncludeEnded, page);
    }

    /// <summary>A ListSharedCases request: its page token is tied to the caller's agency.</summary>
    public static PageRequest Validate(ListSharedCasesRequest request, string callerAgency)
    {
        var errors = new FieldViolations();
        var page = errors.Page(request.PageSize, request.PageToken, $"shared-cases/{callerAgency}");
        errors.ThrowIfAny();
        return page;
    }

    /// <summary>An agency code as tokens carry it (e.g. KR-NIS, UA-POW-HQ): capital letters, digits and hyphens.</summary>
    private static string? AgencyCode(this FieldViolations errors, string field, string? value, bool required)
    {
        var code = errors.Text(field, value, CaseShare.AgencyMaxLength, required);
        if (code is not null && !code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            errors.Add(field, "must be an agency code: capital letters, digits and hyphens, e.g. KR-NIS");
            return null;
        }

        return code;
    }
}
