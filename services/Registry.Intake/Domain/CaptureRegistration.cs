namespace Registry.Intake.Domain;

/// <summary>A validated RegisterCapture request in domain terms.</summary>
public sealed record CaptureRegistration(
    Guid RequestId,
    string FamilyName,
    string GivenNames,
    string? Rank,
    string? ServiceNumber,
    PartialDate? DateOfBirth,
    string? Nationality,
    DateTimeOffset CapturedAt,
    string CapturePlace,
    string CapturingUnit,
    string CapturingAgency);
