using System.Text.Json;
using Registry.Intake.Domain.Linkage;
using Registry.ServiceDefaults.Domain;

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
    public const string ResourceType = "registry.intake.v1.DuplicateCandidate";
    public const int ReasonsMaxLength = 1000;
    public const int ResolutionNoteMaxLength = 1000;
    public const int ComparisonsMaxLength = 2000;

    private DuplicateCandidate()
    {
    }

    public long Id { get; private set; }
    public Guid CandidateId { get; private set; }
    /// <summary>The later case.</summary>
    public Guid CaseId { get; private set; }
    public long CaseNumber { get; private set; }
    /// <summary>The earlier case it resembles.</summary>
    public Guid OtherCaseId { get; private set; }
    public long OtherCaseNumber { get; private set; }
    /// <summary>The match probability (0 to 1) of <see cref="MatchWeight"/> (<see cref="LinkageModel"/>).</summary>
    public double Score { get; private set; }
    /// <summary>The Fellegi-Sunter match weight in bits: the sum of the fields' weights (<see cref="Comparisons"/>).</summary>
    public double MatchWeight { get; private set; }
    /// <summary>Each field's comparison (level, outcome, weight) as JSON, so a coordinator sees why; "" for a pair a coordinator named.</summary>
    public string Comparisons { get; private set; } = "";
    /// <summary>Reasons, separated by "; ".</summary>
    public string Reasons { get; private set; } = "";
    public DuplicateStatus Status { get; private set; } = DuplicateStatus.Open;
    public DateTimeOffset FoundAt { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public string? ResolutionNote { get; private set; }
    /// <summary>The agency and client (from the caller's verified token) of the latest decision on the pair; null while never decided.</summary>
    public string? DecidedByAgency { get; private set; }
    public string? DecidedByClient { get; private set; }

    /// <summary>A pair found to resemble each other, <paramref name="caseId"/> first (as kept: the later case).</summary>
    public static DuplicateCandidate Found(Guid caseId, long caseNumber, Guid otherCaseId, long otherCaseNumber, double score, string reasons, DateTimeOffset now) => new()
    {
        CandidateId = Guid.CreateVersion7(now),
        CaseId = caseId,
        CaseNumber = caseNumber,
        OtherCaseId = otherCaseId,
        OtherCaseNumber = otherCaseNumber,
        Score = score,
        Reasons = reasons,
        FoundAt = now,
    };

    /// <summary>A pair record linkage scored as a candidate: its probability, match weight and every field's comparison.</summary>
    public static DuplicateCandidate Found(Guid caseId, long caseNumber, Guid otherCaseId, long otherCaseNumber, LinkageScore score, DateTimeOffset now)
    {
        var candidate = Found(caseId, caseNumber, otherCaseId, otherCaseNumber, score.Probability, ReasonsOf(score), now);
        candidate.MatchWeight = score.MatchWeight;
        candidate.Comparisons = JsonSerializer.Serialize(score.Comparisons);
        return candidate;
    }

    /// <summary>The comparisons as stored (<see cref="Comparisons"/>); empty for a pair a coordinator named.</summary>
    public IReadOnlyList<FieldComparison> ReadComparisons() =>
        Comparisons.Length == 0 ? [] : JsonSerializer.Deserialize<List<FieldComparison>>(Comparisons) ?? [];

    /// <summary>The reasons a coordinator reads: the match weight, then each known field's outcome and weight, strongest first.</summary>
    private static string ReasonsOf(LinkageScore score)
    {
        var reasons = string.Join("; ", score.Comparisons.Where(c => c.Level != ComparisonLevel.Unknown)
            .OrderByDescending(c => Math.Abs(c.Weight)).Select(c => c.ToString())
            .Prepend(FormattableString.Invariant($"match weight {score.MatchWeight:0.0} bits")));
        return Registry.ServiceDefaults.Validation.TextRules.Cut(reasons, ReasonsMaxLength);
    }

    /// <summary>The same pair with the later case first, as candidates are kept.</summary>
    public DuplicateCandidate LaterFirst() => OtherCaseNumber < CaseNumber ? this : new()
    {
        CandidateId = CandidateId,
        CaseId = OtherCaseId,
        CaseNumber = OtherCaseNumber,
        OtherCaseId = CaseId,
        OtherCaseNumber = CaseNumber,
        Score = Score,
        MatchWeight = MatchWeight,
        Comparisons = Comparisons,
        Reasons = Reasons,
        FoundAt = FoundAt,
    };

    /// <summary>
    /// A coordinator's decision on the pair, recorded with who took it. A merge is final: two cases merged as one
    /// person cannot be declared different persons afterwards (CASE_MERGED). A pair declared different persons is
    /// not merged unless the decision is reopened first (MARKED_NOT_DUPLICATE, <see cref="Reopen"/>).
    /// </summary>
    public DuplicateDecision Resolve(DuplicateStatus status, string note, DecidedBy decidedBy, DateTimeOffset now)
    {
        if (Status == DuplicateStatus.Merged)
        {
            throw new RuleViolationException("CASE_MERGED", ResourceType, Subject,
                $"Cases {CaptureCase.FormatCaseNumber(CaseNumber)} and {CaptureCase.FormatCaseNumber(OtherCaseNumber)} were merged as one person.");
        }

        if (Status == DuplicateStatus.NotDuplicate && status == DuplicateStatus.Merged)
        {
            throw new RuleViolationException("MARKED_NOT_DUPLICATE", ResourceType, Subject,
                $"Cases {CaptureCase.FormatCaseNumber(CaseNumber)} and {CaptureCase.FormatCaseNumber(OtherCaseNumber)} were declared different persons "
                + $"by {DecidedByAgency ?? "a coordinator"}; reopen that decision (ReopenDuplicateDecision) before merging them.");
        }

        return Decide(status, note, decidedBy, now);
    }

    /// <summary>
    /// Takes back a "not the same person" decision, so that the pair is open again (to be merged, or decided again).
    /// Only that decision can be reopened: a merge is final (CASE_MERGED), an open pair has nothing to reopen
    /// (DUPLICATE_NOT_DECIDED).
    /// </summary>
    public DuplicateDecision Reopen(string note, DecidedBy decidedBy, DateTimeOffset now) => Status switch
    {
        DuplicateStatus.NotDuplicate => Decide(DuplicateStatus.Open, note, decidedBy, now),
        DuplicateStatus.Merged => throw new RuleViolationException("CASE_MERGED", ResourceType, Subject,
            $"Cases {CaptureCase.FormatCaseNumber(CaseNumber)} and {CaptureCase.FormatCaseNumber(OtherCaseNumber)} were merged as one person; a merge is not reopened."),
        _ => throw new RuleViolationException("DUPLICATE_NOT_DECIDED", ResourceType, Subject,
            $"Cases {CaptureCase.FormatCaseNumber(CaseNumber)} and {CaptureCase.FormatCaseNumber(OtherCaseNumber)} are open; there is no decision to reopen."),
    };

    /// <summary>The candidate as a resource name, e.g. in a rule's refusal.</summary>
    public string Subject => $"duplicateCandidates/{CandidateId}";

    private DuplicateDecision Decide(DuplicateStatus status, string note, DecidedBy decidedBy, DateTimeOffset now)
    {
        Status = status;
        ResolutionNote = note;
        ResolvedAt = now;
        DecidedByAgency = decidedBy.Agency;
        DecidedByClient = decidedBy.ClientId;
        return DuplicateDecision.Taken(this, status, note, decidedBy, now);
    }
}

/// <summary>Who took a decision: the agency and OAuth client of the caller's verified token, never what a request says.</summary>
public sealed record DecidedBy(string Agency, string ClientId);
