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
    public const int DescriptionMaxLength = 500;
    public const int BodySiteMaxLength = 200;
    public const int CauseMaxLength = 500;

    private Condition()
    {
    }

    public long Id { get; private set; }
    public Guid ConditionId { get; private set; }
    public Guid CaseId { get; private set; }
    public ConditionKind Kind { get; private set; }
    public string Description { get; private set; } = "";
    public string? BodySite { get; private set; }
    public string? Cause { get; private set; }
    public Severity? Severity { get; private set; }
    public Guid FoundInEncounterId { get; private set; }
    public DateTimeOffset FoundAt { get; private set; }
    public Guid? ResolvedInEncounterId { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }

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

    /// <summary>The person's condition moves with the record it belongs to when two cases of the person are merged.</summary>
    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;

    internal void Resolve(Encounter encounter)
    {
        ResolvedInEncounterId = encounter.EncounterId;
        ResolvedAt = encounter.OccurredAt;
    }
}
