namespace Registry.Intake.Domain;

/// <summary>The person's status under GC III Art. 5; in doubt, pending a competent tribunal's decision.</summary>
public enum StatusCategory
{
    PrisonerOfWar = 1,
    PendingDetermination = 2,
    CivilianInternee = 3,
    Other = 4,
}

/// <summary>A decision on a case's status category, kept for good.</summary>
public sealed class StatusChange
{
    public long Id { get; set; }
    public Guid CaseId { get; set; }
    public StatusCategory? From { get; set; }
    public StatusCategory To { get; set; }
    public required string DecisionReference { get; set; }
    public required string DecidedBy { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public long Revision { get; set; }
}
