using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Death = Registry.Medical.Domain.Death;
using DeathCertificate = Registry.Medical.Domain.DeathCertificate;
using DeathManner = Registry.Medical.Domain.DeathManner;

namespace Registry.Medical.Features.Deaths;

public sealed record DeathCommand(IdempotencyKey Key, Guid CaseId, DeathDetails Details);

/// <summary>Checks a death and its certificate, naming every bad field at once (dates against the record: in the handler).</summary>
public static class DeathValidator
{
    public static DeathCommand Validate(RecordDeathRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var diedAt = errors.PastTimestamp("died_at", request.DiedAt, now, required: true);
        var place = errors.Text("place", request.Place, Death.PlaceMaxLength, required: true);
        var cause = errors.Text("cause", request.Cause, Death.CauseMaxLength, required: true);
        var manner = errors.Enum("manner", request.Manner, required: true);
        string? number = null, issuedBy = null;
        DateTimeOffset? issuedAt = null;
        if (request.Certificate is null)
        {
            errors.Add("certificate", "is required (GC III Art. 120: a death is recorded with its certificate)");
        }
        else
        {
            number = errors.Text("certificate.number", request.Certificate.Number, DeathCertificate.NumberMaxLength, required: true);
            issuedBy = errors.Text("certificate.issued_by", request.Certificate.IssuedBy, DeathCertificate.IssuedByMaxLength, required: true);
            issuedAt = errors.PastTimestamp("certificate.issued_at", request.Certificate.IssuedAt, now, required: true);
            if (issuedAt < diedAt)
            {
                errors.Add("certificate.issued_at", $"is before died_at ({diedAt:yyyy-MM-ddTHH:mm:ssZ}): a death is certified after it happened");
            }
        }

        errors.ThrowIfAny();
        return new DeathCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value,
            new DeathDetails(diedAt!.Value, place!, cause!, (DeathManner)(int)manner!.Value, new DeathCertificate(number!, issuedBy!, issuedAt!.Value)));
    }
}
