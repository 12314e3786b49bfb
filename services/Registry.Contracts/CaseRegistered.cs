namespace Registry.Contracts;

/// <summary>
/// A case was opened for a captured person. Carries what custody and medical need to open
/// their own records without asking intake.
/// </summary>
public sealed record CaseRegistered
{
    public required Guid CaseId { get; init; }
    public required string CaseNumber { get; init; }
    public required string FamilyName { get; init; }
    public required string GivenNames { get; init; }
    public required DateTimeOffset CapturedAt { get; init; }
    public required string CapturePlace { get; init; }
    public required string CapturingAgency { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
}
