using Registry.Intake.Domain;
using Registry.Intake.Features.Identity;
using Registry.Protos.Intake.V1;
using ProtoIdentity = Registry.Protos.Intake.V1.Identity;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Validation;
using StatusCategory = Registry.Intake.Domain.StatusCategory;

namespace Registry.Intake.Features.Registration;

/// <summary>Checks a RegisterCapture request and names every bad field; nothing is stored unless it passes.</summary>
public static class RegisterCaptureValidator
{
    public static CaptureRegistration Validate(RegisterCaptureRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var registration = Read(request, now, errors);
        errors.ThrowIfAny();
        return registration!;
    }

    /// <summary>
    /// Reads a request as <see cref="Validate"/> does, adding every bad field to <paramref name="errors"/> instead of
    /// throwing: the registration, or null when any field is bad (ImportCaptures reports a row's violations in its result).
    /// </summary>
    public static CaptureRegistration? Read(RegisterCaptureRequest request, DateTimeOffset now, FieldViolations errors)
    {
        var requestId = errors.RequestId("request_id", request.RequestId);

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
        var birth = IdentityReader.BirthDate(facts)?.Range;
        var capture = CaptureReader.Read(request.Capture, errors, "capture", now, out var capturedAt);
        // The shared date rules (DateRules): born before the capture; in service after birth and before the capture.
        if (birth is { } born && capturedAt is { } captured)
        {
            errors.Check("identity.date_of_birth", new PersonDates(null, captured).LifeProblem(born));
        }

        if (DayRange.Parse(facts.GetValueOrDefault("in_service_since")) is { } since)
        {
            errors.Check("identity.in_service_since", new PersonDates(birth, capturedAt).LifeProblem(since));
        }

        return errors.Any ? null : new CaptureRegistration(IdempotencyKey.Of(requestId!.Value, request), facts, source, status, capture!);
    }

    /// <summary>Whether a name survived reading (a name of invisible characters only is no name).</summary>
    private static bool HasName(IReadOnlyDictionary<string, string?> facts) =>
        facts.ContainsKey("family_name") || facts.ContainsKey("given_names")
        || facts.ContainsKey("family_name_latin") || facts.ContainsKey("given_names_latin");
}

internal static class CaptureReader
{
    /// <summary>Reads a capture; <paramref name="capturedAt"/> is its time when that is valid, whatever else is wrong.</summary>
    public static CaptureDetails? Read(CaptureEvent? capture, FieldViolations errors, string path, DateTimeOffset now, out DateTimeOffset? capturedAt)
    {
        capturedAt = null;
        if (capture is null)
        {
            errors.Add(path, "is required");
            return null;
        }

        // The shared date rules (DateRules): not in the future, not before 1900, and not before GC III was signed.
        if (errors.PastTimestamp($"{path}.captured_at", capture.CapturedAt, now, required: true) is { } at)
        {
            if (at < DateRules.EarliestCapture)
            {
                errors.Add($"{path}.captured_at", $"must not be before {DateRules.Format(DateRules.EarliestCapture)} (GC III, signed 12 August 1949)");
            }
            else
            {
                capturedAt = at;
            }
        }

        double? latitude = null, longitude = null;
        if (capture.Coordinates is { } point)
        {
            // Without presence the missing one would read as 0 and be stored as a place on the equator or the meridian.
            if (!point.HasLatitude)
            {
                errors.Add($"{path}.coordinates.latitude", "is required when coordinates are given");
            }
            else if (!double.IsFinite(point.Latitude) || point.Latitude is < -90 or > 90)
            {
                errors.Add($"{path}.coordinates.latitude", "must be between -90 and 90 degrees");
            }
            else
            {
                latitude = point.Latitude;
            }

            if (!point.HasLongitude)
            {
                errors.Add($"{path}.coordinates.longitude", "is required when coordinates are given");
            }
            else if (!double.IsFinite(point.Longitude) || point.Longitude is < -180 or > 180)
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
