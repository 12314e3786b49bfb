namespace Registry.Custody.Domain;

/// <summary>One person interviewed in private during an ICRC visit: only that it took place (GC III Art. 126).</summary>
public sealed class PrivateInterview
{
    private PrivateInterview()
    {
    }

    public PrivateInterview(Guid caseId, int position)
    {
        CaseId = caseId;
        Position = position;
    }

    public Guid CaseId { get; private set; }
    /// <summary>The order the request listed the person in (0-based).</summary>
    public int Position { get; private set; }
}

/// <summary>
/// A visit of ICRC delegates to a place of internment (GC III Art. 126: the Protecting Power's and the ICRC's delegates
/// go to all places where prisoners of war may be, and interview them without witnesses) and the persons interviewed in
/// private. Of a private interview only that it took place is recorded, never what was said: there is no field for it.
/// Never changed once entered.
/// </summary>
public sealed class IcrcVisit
{
    public const int MinDelegates = 1;
    public const int MaxDelegates = 20;
    public const int DelegateMaxLength = 200;

    private IcrcVisit()
    {
    }

    public long Id { get; private set; }
    public Guid VisitId { get; private set; }
    /// <summary>The visiting delegation's agency: the recording token's own (the access table's agencyField).</summary>
    public string VisitingAgency { get; private set; } = "";
    public DateTimeOffset VisitedAt { get; private set; }
    public Facility Facility { get; private set; } = null!;
    public List<string> Delegates { get; private set; } = [];
    public List<PrivateInterview> PrivateInterviews { get; private set; } = [];
    public DateTimeOffset RecordedAt { get; private set; }
    public string RecordedByClient { get; private set; } = "";
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    public static IcrcVisit Of(
        string visitingAgency, DateTimeOffset visitedAt, Facility facility, IReadOnlyList<string> delegates, IReadOnlyList<Guid> caseIds,
        string recordedByClient, Guid requestId, byte[] requestHash, DateTimeOffset now) => new()
    {
        VisitId = Guid.CreateVersion7(now),
        VisitingAgency = visitingAgency,
        VisitedAt = visitedAt,
        Facility = facility,
        Delegates = [.. delegates],
        PrivateInterviews = [.. caseIds.Select((id, n) => new PrivateInterview(id, n))],
        RecordedAt = now,
        RecordedByClient = recordedByClient,
        RequestId = requestId,
        RequestHash = requestHash,
    };
}
