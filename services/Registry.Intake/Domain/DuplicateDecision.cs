namespace Registry.Intake.Domain;

/// <summary>
/// One decision on a duplicate pair, as it was taken: merged, declared different persons, or reopened (the pair
/// open again). Append-only, so the log shows who decided what and when even after a decision is reopened.
/// A decision asked for with a request_id (a reopening) keeps it, so that a retry replays it.
/// </summary>
public sealed class DuplicateDecision
{
    public const int AgencyMaxLength = 200;
    public const int ClientMaxLength = 200;

    private DuplicateDecision()
    {
    }

    public long Id { get; private set; }
    public Guid DecisionId { get; private set; }
    public Guid CandidateId { get; private set; }
    /// <summary>The later case of the pair, then the earlier (as the candidate keeps them).</summary>
    public Guid CaseId { get; private set; }
    public long CaseNumber { get; private set; }
    public Guid OtherCaseId { get; private set; }
    public long OtherCaseNumber { get; private set; }
    /// <summary>The status the decision gave the pair: Merged, NotDuplicate, or Open (reopened).</summary>
    public DuplicateStatus Status { get; private set; }
    public string Note { get; private set; } = "";
    public string DecidedByAgency { get; private set; } = "";
    public string DecidedByClient { get; private set; } = "";
    public DateTimeOffset DecidedAt { get; private set; }
    public Guid? RequestId { get; private set; }
    public byte[]? RequestHash { get; private set; }

    public static DuplicateDecision Taken(DuplicateCandidate pair, DuplicateStatus status, string note, DecidedBy decidedBy, DateTimeOffset now) => new()
    {
        DecisionId = Guid.CreateVersion7(now),
        CandidateId = pair.CandidateId,
        CaseId = pair.CaseId,
        CaseNumber = pair.CaseNumber,
        OtherCaseId = pair.OtherCaseId,
        OtherCaseNumber = pair.OtherCaseNumber,
        Status = status,
        Note = note,
        DecidedByAgency = decidedBy.Agency,
        DecidedByClient = decidedBy.ClientId,
        DecidedAt = now,
    };

    /// <summary>Marks the decision as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }
}
