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
    // Field limits, read by the validators and the EF configuration alike.
    public const int DecisionReferenceMaxLength = 200;
    public const int DecidedByMaxLength = 200;

    private StatusChange()
    {
    }

    public long Id { get; private set; }
    public Guid CaseId { get; private set; }
    public StatusCategory? From { get; private set; }
    public StatusCategory To { get; private set; }
    public string DecisionReference { get; private set; } = "";
    public string DecidedBy { get; private set; } = "";
    public DateTimeOffset DecidedAt { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    public long Revision { get; private set; }

    /// <summary>A decision taking the case from <paramref name="from"/> to <paramref name="to"/> (<see cref="CaptureCase.ChangeStatus"/>).</summary>
    internal static StatusChange Decided(Guid caseId, StatusCategory? from, StatusCategory to, string decisionReference, string decidedBy,
        DateTimeOffset decidedAt, DateTimeOffset now, long revision) => new()
    {
        CaseId = caseId,
        From = from,
        To = to,
        DecisionReference = decisionReference,
        DecidedBy = decidedBy,
        DecidedAt = decidedAt,
        RecordedAt = now,
        Revision = revision,
    };
}
