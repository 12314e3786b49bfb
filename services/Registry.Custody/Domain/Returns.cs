namespace Registry.Custody.Domain;

/// <summary>
/// One non-refoulement risk assessment of a case (GC III Art. 118; ICRC Commentary 2020: no transfer to a state where
/// the person faces a real risk of serious violations). The history of a case's assessments is kept; the latest
/// assessed stands on the record (<see cref="CustodyRecord.ReturnRisk"/>) and decides the hold
/// (<see cref="CustodyRecord.NonRefoulementHold"/>).
/// </summary>
public sealed class ReturnRiskAssessment
{
    public const int GroundsMaxLength = 2000;
    public const int AssessedByMaxLength = 200;

    private ReturnRiskAssessment()
    {
    }

    public long Id { get; private set; }
    public Guid AssessmentId { get; private set; }
    public Guid CaseId { get; private set; }
    public ReturnRisk Level { get; private set; }
    /// <summary>Why the risk is assessed so; required at every level (a low risk lifts the hold and needs its grounds as much).</summary>
    public string Grounds { get; private set; } = "";
    public DateTimeOffset AssessedAt { get; private set; }
    /// <summary>The assessor's name and function, as stated in the request.</summary>
    public string AssessedBy { get; private set; } = "";
    /// <summary>The agency of the caller that entered it, from its verified token (never from the request).</summary>
    public string AssessedByAgency { get; private set; } = "";
    /// <summary>The OAuth client that entered it, from the caller's verified token.</summary>
    public string AssessedByClient { get; private set; } = "";
    public DateTimeOffset RecordedAt { get; private set; }
    /// <summary>The caller's idempotency key.</summary>
    public Guid RequestId { get; private set; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>
    /// Enters an assessment of <paramref name="record"/> and lets the record keep the latest level
    /// (<see cref="CustodyRecord.AssessReturnRisk"/>: CASE_MERGED on a merged record).
    /// </summary>
    /// <param name="standingInTimeline">Whether the record's standing assessment (if any) is already a timeline event (<see cref="CustodyRecord.AssessReturnRisk"/>).</param>
    /// <returns>The assessment, and the timeline events it appended to the record (its own last).</returns>
    public static (ReturnRiskAssessment Assessment, IReadOnlyList<CustodyEvent> Events) Assess(
        CustodyRecord record, ReturnRisk level, string grounds, DateTimeOffset assessedAt, string assessedBy,
        string agency, string clientId, DateTimeOffset now, bool standingInTimeline = true)
    {
        var id = Guid.CreateVersion7(now);
        var events = record.AssessReturnRisk(level, assessedAt, now, $"assessment {id}", standingInTimeline);
        return (new ReturnRiskAssessment
        {
            AssessmentId = id,
            CaseId = record.CaseId,
            Level = level,
            Grounds = grounds,
            AssessedAt = assessedAt,
            AssessedBy = assessedBy,
            AssessedByAgency = agency,
            AssessedByClient = clientId,
            RecordedAt = now,
        }, events);
    }

    /// <summary>Marks the assessment as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash) => (RequestId, RequestHash) = (requestId, requestHash);
}

/// <summary>
/// The person's own wish about return, taken in a private interview (GC III Art. 126: without witnesses). Only the wish,
/// who took it and when, and optional circumstances are stored, never what the person said: a private interview's
/// content stays with the interviewer, and what a person said about their fears of return is exactly what could endanger
/// them or their family if it were read by others. The history is kept; the latest taken stands on the record
/// (<see cref="CustodyRecord.ReturnWish"/>).
/// </summary>
public sealed class ReturnWishRecord
{
    public const int TakenByMaxLength = 200;
    public const int NoteMaxLength = 500;

    private ReturnWishRecord()
    {
    }

    public long Id { get; private set; }
    public Guid WishId { get; private set; }
    public Guid CaseId { get; private set; }
    public ReturnWish Wish { get; private set; }
    public DateTimeOffset TakenAt { get; private set; }
    /// <summary>Who took the wish in the private interview, name and function as stated.</summary>
    public string TakenBy { get; private set; } = "";
    /// <summary>The agency of the caller that recorded it, from its verified token (never from the request).</summary>
    public string TakenByAgency { get; private set; } = "";
    public string TakenByClient { get; private set; } = "";
    /// <summary>The interview's circumstances (place, language, interpreter); never the person's words.</summary>
    public string? Note { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Enters a wish of <paramref name="record"/>'s person; the record keeps the latest (CASE_MERGED on a merged record).</summary>
    /// <returns>The wish, and the timeline events it appended to the record (its own last; <see cref="CustodyRecord.RecordReturnWish"/>).</returns>
    public static (ReturnWishRecord Wish, IReadOnlyList<CustodyEvent> Events) Take(
        CustodyRecord record, ReturnWish wish, DateTimeOffset takenAt, string takenBy, string? note, string agency, string clientId, DateTimeOffset now,
        bool standingInTimeline = true)
    {
        var id = Guid.CreateVersion7(now);
        var events = record.RecordReturnWish(wish, takenAt, now, $"wish {id}", standingInTimeline);
        return (new ReturnWishRecord
        {
            WishId = id,
            CaseId = record.CaseId,
            Wish = wish,
            TakenAt = takenAt,
            TakenBy = takenBy,
            TakenByAgency = agency,
            TakenByClient = clientId,
            Note = note,
            RecordedAt = now,
        }, events);
    }

    public void AnswersRequest(Guid requestId, byte[] requestHash) => (RequestId, RequestHash) = (requestId, requestHash);
}

/// <summary>
/// A transfer to another state party to the Convention (GC III Art. 12(2)) and the assurance it rests on: the receiving
/// state is a party, and its willingness and ability to apply the Convention was ascertained, by whom and when. The event
/// in the timeline (<see cref="CustodyEventKind.TransferredToThirdState"/>, <see cref="EventSequence"/>) carries the
/// receiving place and state and names the assurance; this row keeps the assurance whole.
/// </summary>
public sealed class ThirdStateTransfer
{
    public const int WillingnessMaxLength = 1000;
    public const int AssuredByMaxLength = 200;

    private ThirdStateTransfer()
    {
    }

    public long Id { get; private set; }
    public Guid CaseId { get; private set; }
    public long EventSequence { get; private set; }
    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string ReceivingState { get; private set; } = "";
    public string ReceivingAuthority { get; private set; } = "";
    public bool PartyToConvention { get; private set; }
    public string WillingnessAndAbility { get; private set; } = "";
    public string AssuredBy { get; private set; } = "";
    public DateTimeOffset AssuredAt { get; private set; }
    public string RecordedByAgency { get; private set; } = "";
    public string RecordedByClient { get; private set; } = "";
    public DateTimeOffset RecordedAt { get; private set; }

    public static ThirdStateTransfer Of(
        CustodyEvent transferred, string receivingAuthority, Art12Assurance assurance, string agency, string clientId, DateTimeOffset now) => new()
    {
        CaseId = transferred.CaseId,
        EventSequence = transferred.Sequence,
        ReceivingState = transferred.FacilityCountry ?? "",
        ReceivingAuthority = receivingAuthority,
        PartyToConvention = assurance.PartyToConvention,
        WillingnessAndAbility = assurance.WillingnessAndAbility,
        AssuredBy = assurance.AssuredBy,
        AssuredAt = assurance.AssuredAt,
        RecordedByAgency = agency,
        RecordedByClient = clientId,
        RecordedAt = now,
    };
}

/// <summary>A receiving state's complete Art. 12(2) assurance.</summary>
public sealed record Art12Assurance(bool PartyToConvention, string WillingnessAndAbility, string AssuredBy, DateTimeOffset AssuredAt)
{
    /// <summary>One line for the timeline event's note.</summary>
    public string Describe() => $"Art. 12 assurance by {AssuredBy} on {AssuredAt:yyyy-MM-dd}: party to the Convention, willing and able to apply it";
}

/// <summary>
/// The notes of the timeline's non-refoulement events (<see cref="CustodyEventKind.ReturnRiskAssessed"/>,
/// <see cref="CustodyEventKind.ReturnWishRecorded"/>): each starts with the fact the hold needs, in the contract's enum
/// name, e.g. "return risk assessed HIGH; assessment 0195…" and "wish about return recorded: WISHES_TO_RETURN; wish 0195…",
/// so that <see cref="ChainWalk"/> reads the record's hold-deciding fields back from the hashed timeline. Nothing else
/// of the assessment (its grounds) or of the private interview (the person's words, who took it) goes into the note.
/// </summary>
public static class ReturnEventNote
{
    private const string RiskPrefix = "return risk assessed ";
    private const string WishPrefix = "wish about return recorded: ";

    public static string Risk(ReturnRisk level, string? source) => RiskPrefix + Name(level) + (source is null ? "" : $"; {source}");

    public static string Wish(ReturnWish wish, string? source) => WishPrefix + Name(wish) + (source is null ? "" : $"; {source}");

    /// <summary>The level a <see cref="CustodyEventKind.ReturnRiskAssessed"/> event's note states; null if it states none.</summary>
    public static ReturnRisk? RiskOf(string? note) => Parse<ReturnRisk>(note, RiskPrefix);

    /// <summary>The wish a <see cref="CustodyEventKind.ReturnWishRecorded"/> event's note states; null if it states none.</summary>
    public static ReturnWish? WishOf(string? note) => Parse<ReturnWish>(note, WishPrefix);

    /// <summary>UPPER_SNAKE, as custody.proto names the value without its prefix (HIGH, DOES_NOT_WISH_TO_RETURN).</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        string.Concat(value.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    private static T? Parse<T>(string? note, string prefix) where T : struct, Enum
    {
        if (note is null || !note.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = note[prefix.Length..];
        var end = rest.IndexOf(';');
        var name = end < 0 ? rest : rest[..end];
        return Enum.GetValues<T>().Cast<T?>().FirstOrDefault(v => Name(v!.Value) == name);
    }
}
