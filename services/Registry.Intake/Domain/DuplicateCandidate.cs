namespace Registry.Intake.Domain;

public enum DuplicateStatus
{
    Open = 1,
    Merged = 2,
    NotDuplicate = 3,
}

/// <summary>Two cases that may be one person (e.g. registered by two agencies), until a coordinator decides.</summary>
public sealed class DuplicateCandidate
{
    public long Id { get; set; }
    public Guid CandidateId { get; set; }
    /// <summary>The later case.</summary>
    public Guid CaseId { get; set; }
    public long CaseNumber { get; set; }
    /// <summary>The earlier case it resembles.</summary>
    public Guid OtherCaseId { get; set; }
    public long OtherCaseNumber { get; set; }
    public double Score { get; set; }
    /// <summary>Reasons, separated by "; ".</summary>
    public required string Reasons { get; set; }
    public DuplicateStatus Status { get; set; } = DuplicateStatus.Open;
    public DateTimeOffset FoundAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolutionNote { get; set; }

    public void Resolve(DuplicateStatus status, string note, DateTimeOffset now)
    {
        Status = status;
        ResolutionNote = note;
        ResolvedAt = now;
    }
}
