namespace Registry.Intake.Domain;

public enum NotificationKind
{
    Registration = 1,
    IdentityCorrection = 2,
    StatusChange = 3,
    CasesMerged = 4,
    CaptureCard = 5,
    Transfer = 6,
    Hospitalisation = 7,
    Admission = 8,
    /// <summary>From medical's DeathRecorded (GC III Art. 120, 122).</summary>
    Death = 9,
    /// <summary>GC III Art. 122: the state of health of a person seriously ill or wounded (marked, each weekly report, unmarked).</summary>
    StateOfHealth = 10,
    /// <summary>From custody's CaptivityEnded (GC III Art. 122): released, repatriated, exchanged or transferred to a third state.</summary>
    EndOfCaptivity = 11,
    /// <summary>From custody's PrisonerEscaped (Art. 122).</summary>
    Escape = 12,
    /// <summary>From custody's PrisonerRecaptured (Art. 122): where the person is held again.</summary>
    Recapture = 13,
}

/// <summary>
/// Information owed to the ICRC's Central Tracing Agency (GC III Art. 122, 123), with its own deadline.
/// <see cref="Sequence"/> is its place in the ICRC's feed, given after the writing transaction committed, by
/// <see cref="Features.Notifications.NotificationSequencer"/>: the places grow without gaps at the feed's end, so a
/// reader resuming after a place misses nothing. Null from the commit until that round (about a millisecond in the
/// same process): such a notification is not yet in the feed, but already owed (its <see cref="DueAt"/> runs).
/// </summary>
public sealed class IcrcNotification
{
    public const int SummaryMaxLength = 1000;

    private IcrcNotification()
    {
    }

    public long Id { get; private set; }
    public Guid NotificationId { get; private set; }
    public long? Sequence { get; private set; }
    public Guid CaseId { get; private set; }
    public long CaseNumber { get; private set; }
    public NotificationKind Kind { get; private set; }
    public string Summary { get; private set; } = "";
    /// <summary>The case (and, for a capture card, the card) as the contract's JSON, as they stood when raised.</summary>
    public string Payload { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    /// <summary>
    /// When the ICRC acknowledged receipt (AcknowledgeNotifications, or resuming the feed after it): the moment
    /// it counts as delivered (Art. 122). Written into the feed's stream is not delivered. Set once, for a
    /// range of the feed at a time, so the acknowledged notifications are always the feed's beginning.
    /// </summary>
    public DateTimeOffset? AcknowledgedAt { get; private set; }

    /// <summary>
    /// Gives a notification not yet stored the id the database allotted it ahead of a bulk insert (ImportCaptures on
    /// PostgreSQL: the next values of the notifications' identity), so that its body's row can be copied with it.
    /// </summary>
    public void Allot(long id)
    {
        if (Id != 0)
        {
            throw new InvalidOperationException($"Notification {NotificationId} already has its id.");
        }

        Id = id;
    }

    public static IcrcNotification Raise(CaptureCase c, NotificationKind kind, string summary, string payload, DateTimeOffset now) => new()
    {
        NotificationId = Guid.CreateVersion7(now),
        CaseId = c.CaseId,
        CaseNumber = c.Number,
        Kind = kind,
        // Cut here, whatever built it: names, places and agencies within their limits can together pass it.
        Summary = Registry.ServiceDefaults.Validation.TextRules.Cut(summary, SummaryMaxLength, ellipsis: true),
        Payload = payload,
        CreatedAt = now,
        DueAt = now + Deadlines.Notification,
    };
}
