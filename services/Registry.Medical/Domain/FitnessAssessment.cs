namespace Registry.Medical.Domain;

/// <summary>What a fitness assessment is for (the numbers are the contract's).</summary>
public enum FitnessPurpose
{
    /// <summary>Questioning (GC III Art. 17): whether, and how, the person may be interviewed.</summary>
    Interview = 1,
    /// <summary>A transfer (GC III Art. 46-48): not while unfit unless safety demands it.</summary>
    Transfer = 2,
    /// <summary>Repatriation (GC III Art. 109-117) and the journey to it.</summary>
    Repatriation = 3,
}

public enum FitnessOutcome
{
    Fit = 1,
    /// <summary>Fit if custody follows <see cref="FitnessAssessment.Conditions"/>.</summary>
    FitWithConditions = 2,
    Unfit = 3,
}

/// <summary>What a medic stated, as <see cref="MedicalRecord.AssessFitness"/> takes it.</summary>
public sealed record FitnessStatement(
    FitnessPurpose Purpose, FitnessOutcome Outcome, string? Conditions, string? ClinicalReasons,
    DateTimeOffset AssessedAt, DateTimeOffset ValidUntil, string AssessedBy);

/// <summary>
/// A medic's assessment of a person's fitness for one purpose, in force from <see cref="AssessedAt"/> until
/// <see cref="ValidUntil"/> unless a later assessment for the same purpose supersedes it from its own
/// <see cref="AssessedAt"/>. Never changed once entered (but moved to the survivor's record by a merge).
/// </summary>
public sealed class FitnessAssessment
{
    /// <summary>The practical restrictions custody must follow, e.g. "interviews of at most 2 hours with a rest".</summary>
    public const int ConditionsMaxLength = 1000;
    public const int ClinicalReasonsMaxLength = 4000;
    public const int AssessedByMaxLength = 200;

    /// <summary>
    /// The longest an assessment may stand: 90 days, three inspection intervals (GC III Art. 31). A statement of
    /// fitness is a snapshot of a person whose health captivity may change at any time; one that outlived three
    /// monthly inspections without being renewed would be read by custody as current when no medic has looked at
    /// the question since. A medic who still finds the person fit assesses again.
    /// </summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(90);

    private FitnessAssessment()
    {
    }

    public long Id { get; private set; }
    public Guid AssessmentId { get; private set; }
    /// <summary>The case whose record holds it: the survivor's after a merge.</summary>
    public Guid CaseId { get; private set; }
    public FitnessPurpose Purpose { get; private set; }
    public FitnessOutcome Outcome { get; private set; }
    /// <summary>Set only for <see cref="FitnessOutcome.FitWithConditions"/>; not clinical (custody reads it).</summary>
    public string? Conditions { get; private set; }
    /// <summary>Why the medic found so; clinical detail, for the medic role only.</summary>
    public string? ClinicalReasons { get; private set; }
    public DateTimeOffset AssessedAt { get; private set; }
    /// <summary>Exclusive: the assessment is no longer in force at this instant.</summary>
    public DateTimeOffset ValidUntil { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    /// <summary>The assessing medic's name and function, as stated in the request.</summary>
    public string AssessedBy { get; private set; } = "";
    /// <summary>The agency of the medic who entered it, from the caller's verified token (never from the request).</summary>
    public string AssessedByAgency { get; private set; } = "";
    /// <summary>The OAuth client that entered it, from the caller's verified token.</summary>
    public string AssessedByClient { get; private set; } = "";
    /// <summary>The caller's idempotency key.</summary>
    public Guid RequestId { get; private set; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Whether it answers the question of fitness at <paramref name="at"/>, being the latest assessed by then.</summary>
    public bool InForceAt(DateTimeOffset at) => AssessedAt <= at && at < ValidUntil;

    internal static FitnessAssessment Of(MedicalRecord record, FitnessStatement statement, DateTimeOffset now) => new()
    {
        AssessmentId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        Purpose = statement.Purpose,
        Outcome = statement.Outcome,
        Conditions = statement.Conditions,
        ClinicalReasons = statement.ClinicalReasons,
        AssessedAt = statement.AssessedAt,
        ValidUntil = statement.ValidUntil,
        RecordedAt = now,
        AssessedBy = statement.AssessedBy,
    };

    /// <summary>Notes who entered it: the agency and client of the caller's verified token.</summary>
    public void RecordedBy(string agency, string clientId)
    {
        AssessedByAgency = agency;
        AssessedByClient = clientId;
    }

    /// <summary>Marks the assessment as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }

    /// <summary>The person's assessments move with the record when two cases of the person are merged.</summary>
    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;
}
