using Registry.Intake.Domain;
using Registry.Intake.Features.Identity;
using Registry.Protos.Intake.V1;
using ProtoIdentity = Registry.Protos.Intake.V1.Identity;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using StatusCategory = Registry.Intake.Domain.StatusCategory;

namespace Registry.Intake.Features.Registration;

/// <summary>Checks a RegisterCapture request and names every bad field; nothing is stored unless it passes.</summary>
public static class RegisterCaptureValidator
{
    public static CaptureRegistration Validate(RegisterCaptureRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.Uuid("request_id", request.RequestId, required: true);

        var facts = new Dictionary<string, string?>();
        if (request.Identity is null)
        {
            errors.Add("identity", "is required");
        }
        else
        {
            facts = IdentityReader.ReadGiven(request.Identity, errors, "identity", now);
            if (!HasName(facts))
            {
                errors.Add("identity.family_name", "a family name or given names (in either script) are required, to call the person by");
            }
        }

        var source = SourceReader.Read(request.IdentitySource, errors, "identity_source", required: false);
        var status = errors.Enum("status_category", request.StatusCategory, required: false) is { } s
            ? (StatusCategory)(int)s
            : StatusCategory.PendingDetermination;
        var capture = CaptureReader.Read(request.Capture, errors, "capture", now, IdentityReader.BirthDate(facts), "identity.date_of_birth");

        errors.ThrowIfAny();
        return new CaptureRegistration(IdempotencyKey.Of(requestId!.Value, request), facts, source, status, capture!);
    }

    /// <summary>Whether a name survived reading (a name of invisible characters only is no name).</summary>
    private static bool HasName(IReadOnlyDictionary<string, string?> facts) =>
        facts.ContainsKey("family_name") || facts.ContainsKey("given_names")
        || facts.ContainsKey("family_name_latin") || facts.ContainsKey("given_names_latin");
}

internal static class CaptureReader
{
    /// <summary>Tolerated clock skew between the capturing unit's device and the registry.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset EarliestCapture = new(1949, 8, 12, 0, 0, 0, TimeSpan.Zero); // GC III signed

    public static CaptureDetails? Read(CaptureEvent? capture, FieldViolations errors, string path, DateTimeOffset now, PartialDate? birth, string birthPath)
    {
        if (capture is null)
        {
            errors.Add(path, "is required");
            return null;
        }

        DateTimeOffset? capturedAt = null;
        if (capture.CapturedAt is null)
        {
            errors.Add($"{path}.captured_at", "is required");
        }
        else if (capture.CapturedAt.Seconds is < -62135596800 or > 253402300799 || capture.CapturedAt.Nanos is < 0 or > 999_999_999)
        {
            errors.Add($"{path}.captured_at", "is not a valid timestamp");
        }
        else
        {
            var at = capture.CapturedAt.ToDateTimeOffset().ToMicroseconds();
            if (at > now + ClockSkew)
            {
                errors.Add($"{path}.captured_at", "must not be in the future");
            }
            else if (at < EarliestCapture)
            {
                errors.Add($"{path}.captured_at", "must not be before 12 August 1949");
            }
            else if (birth is not null && DateOnly.FromDateTime(at.UtcDateTime) < birth.Earliest)
            {
                errors.Add(birthPath, "must not be after the capture");
            }
            else
            {
                capturedAt = at;
            }
        }

        double? latitude = null, longitude = null;
        if (capture.Coordinates is { } point)
        {
            if (!double.IsFinite(point.Latitude) || point.Latitude is < -90 or > 90)
            {
                errors.Add($"{path}.coordinates.latitude", "must be between -90 and 90 degrees");
            }
            else
            {
                latitude = point.Latitude;
            }

            if (!double.IsFinite(point.Longitude) || point.Longitude is < -180 or > 180)
            {
                errors.Add($"{path}.coordinates.longitude", "must be between -180 and 180 degrees");
            }
            else
            {
                longitude = point.Longitude;
            }
        }

        var place = errors.Text($"{path}.place", capture.Place, CaptureCase.CapturePlaceMaxLength, required: true);
        var unit = errors.Text($"{path}.capturing_unit", capture.CapturingUnit, CaptureCase.CapturingUnitMaxLength, required: true);
        var agency = errors.Text($"{path}.capturing_agency", capture.CapturingAgency, CaptureCase.CapturingAgencyMaxLength, required: true);
        var circumstances = errors.Text($"{path}.circumstances", capture.Circumstances, CaptureCase.CaptureCircumstancesMaxLength, required: false);
        return errors.Any
            ? null
            : new CaptureDetails(capturedAt!.Value, place!, latitude, longitude, unit!, agency!, circumstances);
    }
}
