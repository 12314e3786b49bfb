using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Grpc;

/// <summary>Checks a RegisterCapture request and names every bad field; nothing is stored unless it passes.</summary>
public static class RegisterCaptureValidator
{
    /// <summary>Tolerated clock skew between the capturing unit's device and the registry.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset EarliestCapture = new(1949, 8, 12, 0, 0, 0, TimeSpan.Zero); // GC III signed

    public static CaptureRegistration Validate(RegisterCaptureRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.Uuid("request_id", request.RequestId, required: true);

        var identity = request.Identity;
        string? family = null, given = null, rank = null, serviceNumber = null, nationality = null;
        PartialDate? birth = null;
        if (identity is null)
        {
            errors.Add("identity", "is required");
        }
        else
        {
            family = errors.Text("identity.family_name", identity.FamilyName, 200, required: false);
            given = errors.Text("identity.given_names", identity.GivenNames, 200, required: false);
            if (string.IsNullOrWhiteSpace(identity.FamilyName) && string.IsNullOrWhiteSpace(identity.GivenNames))
            {
                errors.Add("identity.family_name", "a family name or given names are required, to call the person by");
            }

            rank = errors.Text("identity.rank", identity.Rank, 100, required: false);
            serviceNumber = errors.Text("identity.service_number", identity.ServiceNumber, 64, required: false);
            nationality = errors.Text("identity.nationality", identity.Nationality, 2, required: false);
            if (nationality is not null && !(nationality.Length == 2 && nationality.All(char.IsAsciiLetterUpper)))
            {
                errors.Add("identity.nationality", "must be an ISO 3166-1 alpha-2 code in capitals, e.g. KP");
                nationality = null;
            }

            if (identity.DateOfBirth is { } dob)
            {
                var problem = PartialDate.Problem(dob.Year, dob.Month, dob.Day, now.Year);
                if (problem is not null)
                {
                    errors.Add("identity.date_of_birth", problem);
                }
                else
                {
                    birth = new PartialDate(dob.Year, dob.Month == 0 ? null : dob.Month, dob.Day == 0 ? null : dob.Day);
                }
            }
        }

        var capture = request.Capture;
        DateTimeOffset? capturedAt = null;
        string? place = null, unit = null, agency = null;
        if (capture is null)
        {
            errors.Add("capture", "is required");
        }
        else
        {
            if (capture.CapturedAt is null)
            {
                errors.Add("capture.captured_at", "is required");
            }
            else if (capture.CapturedAt.Seconds is < -62135596800 or > 253402300799 || capture.CapturedAt.Nanos is < 0 or > 999_999_999)
            {
                errors.Add("capture.captured_at", "is not a valid timestamp");
            }
            else
            {
                var at = capture.CapturedAt.ToDateTimeOffset().ToMicroseconds();
                if (at > now + ClockSkew)
                {
                    errors.Add("capture.captured_at", "must not be in the future");
                }
                else if (at < EarliestCapture)
                {
                    errors.Add("capture.captured_at", "must not be before 12 August 1949");
                }
                else if (birth is not null && DateOnly.FromDateTime(at.UtcDateTime) < birth.Earliest)
                {
                    errors.Add("identity.date_of_birth", "must not be after the capture");
                }
                else
                {
                    capturedAt = at;
                }
            }

            place = errors.Text("capture.place", capture.Place, 200, required: true);
            unit = errors.Text("capture.capturing_unit", capture.CapturingUnit, 200, required: true);
            agency = errors.Text("capture.capturing_agency", capture.CapturingAgency, 200, required: true);
        }

        errors.ThrowIfAny();
        return new CaptureRegistration(
            requestId!.Value, family ?? "", given ?? "", rank, serviceNumber, birth, nationality,
            capturedAt!.Value, place!, unit!, agency!);
    }
}
