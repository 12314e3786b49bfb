using Registry.Intake.Domain;
using Registry.Intake.Domain.Names;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;
using StatusCategory = Registry.Intake.Domain.StatusCategory;

namespace Registry.Intake.Features.Search;

public static class SearchCasesValidator
{
    public static CaseSearch Validate(SearchCasesRequest request)
    {
        var errors = new FieldViolations();
        var name = errors.Text("name", request.Name, PersonIdentity.NameMaxLength, required: false, invisibleRemovedAfter: true); // as a stored name: the fold removes them
        var nameWords = name is null ? null : NameSearch.Query(name);
        if (nameWords is { Words.Count: 0 })
        {
            errors.Add("name", "must contain a letter or digit");
        }

        var serviceNumber = errors.Text("service_number", request.ServiceNumber, PersonIdentity.ServiceNumberMaxLength, required: false);
        if (serviceNumber is not null && ServiceNumbers.Key(serviceNumber) is null)
        {
            errors.Add("service_number", "is a placeholder or has no letter or digit, not a service number to look for");
        }

        var nationality = errors.Text("nationality", request.Nationality, PersonIdentity.CountryCodeLength, required: false);
        if (nationality is not null && !(nationality.Length == 2 && nationality.All(char.IsAsciiLetterUpper)))
        {
            errors.Add("nationality", "must be an ISO 3166-1 alpha-2 code in capitals, e.g. KP");
        }

        var status = errors.Enum("status_category", request.StatusCategory, required: false);
        var from = Instant(errors, "captured_from", request.CapturedFrom);
        var until = Instant(errors, "captured_until", request.CapturedUntil);
        if (from is not null && until is not null && from >= until)
        {
            errors.Add("captured_until", "must be after captured_from");
        }

        var agency = errors.Text("capturing_agency", request.CapturingAgency, CaptureCase.CapturingAgencyMaxLength, required: false);
        var criteria = request.Clone();
        criteria.PageSize = 0;
        criteria.PageToken = "";
        var page = errors.Page(request.PageSize, request.PageToken, $"search/{criteria}");
        errors.ThrowIfAny();

        return new CaseSearch(
            nameWords, serviceNumber is null ? null : ServiceNumbers.Key(serviceNumber), nationality,
            status is { } s ? (StatusCategory)(int)s : null, from, until, agency, request.IncludeMerged, page);
    }

    private static DateTimeOffset? Instant(FieldViolations errors, string field, Google.Protobuf.WellKnownTypes.Timestamp? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Seconds is < -62135596800 or > 253402300799 || value.Nanos is < 0 or > 999_999_999)
        {
            errors.Add(field, "is not a valid timestamp");
            return null;
        }

        return value.ToDateTimeOffset();
    }
}
