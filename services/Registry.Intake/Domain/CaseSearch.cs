namespace Registry.Intake.Domain;

/// <summary>A validated search of the register: every criterion optional; the name part already normalised (<see cref="NameSearch"/>).</summary>
public sealed record CaseSearch(
    string? NamePart, string? ServiceNumberKey, string? Nationality, StatusCategory? Status,
    DateTimeOffset? CapturedFrom, DateTimeOffset? CapturedUntil, string? CapturingAgency, bool IncludeMerged,
    int PageSize, long After, string Query);
