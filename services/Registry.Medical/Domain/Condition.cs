namespace Registry.Medical.Domain;

public enum ConditionKind
{
    Injury = 1,
    Illness = 2,
}

public enum Severity
{
    Minor = 1,
    Moderate = 2,
    Severe = 3,
}

public sealed record ConditionFinding(ConditionKind Kind, string Description, string? BodySite, string? Cause, Severity? Severity);

/// <summary>A condition or injury found at an encounter, active until a later encounter finds it resolved.</summary>
public sealed class Condition
{
    public long Id { get; set; }
    public Guid ConditionId { get; set; }
    public Guid CaseId { get; set; }
    public ConditionKind Kind { get; set; }
    public required string Description { get; set; }
    public string? BodySite { get; set; }
    public string? Cause { get; set; }
    public Severity? Severity { get; set; }
    public Guid FoundInEncounterId { get; set; }
    public DateTimeOffset FoundAt { get; set; }
    public Guid? ResolvedInEncounterId { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    public bool IsActive => ResolvedInEncounterId is null;

    internal static Condition Found(MedicalRecord record, Encounter encounter, ConditionFinding finding, DateTimeOffset now) => new()
    {
        ConditionId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        Kind = finding.Kind,
        Description = finding.Description,
        BodySite = finding.BodySite,
        Cause = finding.Cause,
        Severity = finding.Severity,
        FoundInEncounterId = encounter.EncounterId,
        FoundAt = encounter.OccurredAt,
    };

    internal void Resolve(Encounter encounter)
    {
        ResolvedInEncounterId = encounter.EncounterId;
        ResolvedAt = encounter.OccurredAt;
    }
}
