using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using TreatmentCertificate = Registry.Medical.Domain.TreatmentCertificate;

namespace Registry.Medical.Features.Certificates;

/// <summary>A validated certificate request: the typed command <see cref="IssueTreatmentCertificateHandler"/> takes.</summary>
public sealed record CertificateEntry(IdempotencyKey Key, Guid CaseId, CertificateStatement Statement);

/// <summary>Checks a certificate request, naming every bad field at once (the dates against the record follow in the handler).</summary>
public static class TreatmentCertificateValidator
{
    public static CertificateEntry Validate(IssueTreatmentCertificateRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var requestedAt = errors.PastTimestamp("requested_at", request.RequestedAt, now, required: true);

        var conditionIds = new List<Guid>();
        if (request.ConditionIds.Count > TreatmentCertificate.MaxConditions)
        {
            errors.Add("condition_ids", $"must hold at most {TreatmentCertificate.MaxConditions} ids");
        }

        for (var i = 0; i < Math.Min(request.ConditionIds.Count, TreatmentCertificate.MaxConditions); i++)
        {
            if (errors.Uuid($"condition_ids[{i}]", request.ConditionIds[i], required: true) is { } id)
            {
                if (conditionIds.Contains(id))
                {
                    errors.Add($"condition_ids[{i}]", "names a condition already listed");
                }
                else
                {
                    conditionIds.Add(id);
                }
            }
        }

        var nature = errors.Text("nature", request.Nature, TreatmentCertificate.NatureMaxLength, required: request.ConditionIds.Count == 0);
        var treatment = errors.Text("treatment", request.Treatment, TreatmentCertificate.TreatmentMaxLength, required: true);
        var from = errors.PastTimestamp("treatment_from", request.TreatmentFrom, now, required: true);
        var to = errors.PastTimestamp("treatment_to", request.TreatmentTo, now, required: false);
        if (from is not null && to is not null && to < from)
        {
            errors.Add("treatment_to", $"must not be before treatment_from ({from:yyyy-MM-ddTHH:mm:ssZ})");
        }

        // Art. 30 certifies treatment "received": the prisoner asks for it once the treatment has begun.
        if (requestedAt is not null && from is not null && requestedAt < from)
        {
            errors.Add("requested_at", $"must not be before treatment_from ({from:yyyy-MM-ddTHH:mm:ssZ}): a certificate states treatment received (GC III Art. 30)");
        }

        var place = errors.Text("place", request.Place, TreatmentCertificate.PlaceMaxLength, required: true);
        var medicName = errors.Text("medic_name", request.MedicName, TreatmentCertificate.MedicMaxLength, required: true);
        var medicFunction = errors.Text("medic_function", request.MedicFunction, TreatmentCertificate.MedicMaxLength, required: true);
        var language = Language(errors, request.Language);

        errors.ThrowIfAny();
        return new CertificateEntry(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, new CertificateStatement(
            requestedAt!.Value, conditionIds, nature, treatment!, from!.Value, to, place!, medicName!, medicFunction!, language!));
    }

    /// <summary>A BCP 47 tag (RFC 5646) whose language has translated labels (<see cref="CertificateLanguages"/>); its ISO 639-1 code.</summary>
    private static string? Language(FieldViolations errors, string value)
    {
        var supported = string.Join(", ", CertificateLanguages.Supported);
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add("language", $"is required: the language of the prisoner's copy, one of {supported}");
            return null;
        }

        if (errors.LanguageTag("language", value) is not { } tag)
        {
            return null;
        }

        var language = tag.Split('-')[0];
        if (!CertificateLanguages.Supported.Contains(language))
        {
            errors.Add("language", $"'{language}' has no translated certificate; supported languages: {supported}");
            return null;
        }

        return language;
    }
}
