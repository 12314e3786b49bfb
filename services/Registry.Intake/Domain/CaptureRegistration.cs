using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Domain;

/// <summary>A validated RegisterCapture request in domain terms.</summary>
public sealed record CaptureRegistration(
    IdempotencyKey Key,
    IReadOnlyDictionary<string, string?> Identity,
    AssertionSource IdentitySource,
    StatusCategory StatusCategory,
    CaptureDetails Capture);

public sealed record CaptureDetails(
    DateTimeOffset CapturedAt,
    string Place,
    double? Latitude,
    double? Longitude,
    string CapturingUnit,
    string CapturingAgency,
    string? Circumstances);
