namespace Registry.Intake.Domain;

public enum CaptureCardReason
{
    Admission = 1,
    Transfer = 2,
    Hospitalisation = 3,
}

/// <summary>
/// A capture card owed for one admission, transfer or hospitalisation (GC III Art. 70, Annex IV), due a
/// week after it. Its content is fixed when issued.
/// </summary>
public sealed class CaptureCard
{
    public long Id { get; set; }
    public Guid CardId { get; set; }
    public Guid CaseId { get; set; }
    public long CaseNumber { get; set; }
    public CaptureCardReason Reason { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset? IssuedAt { get; set; }
    /// <summary>Set when the card is no longer owed: its case was merged into another, whose card stands for the person.</summary>
    public DateTimeOffset? WithdrawnAt { get; set; }
    /// <summary>The issued card's content, as the contract's JSON.</summary>
    public string? Content { get; set; }

    public static CaptureCard Owed(CaptureCase c, CaptureCardReason reason, DateTimeOffset occurredAt, DateTimeOffset now) => new()
    {
        CardId = Guid.CreateVersion7(now),
        CaseId = c.CaseId,
        CaseNumber = c.Number,
        Reason = reason,
        OccurredAt = occurredAt,
        DueAt = occurredAt + Deadlines.CaptureCard,
    };

    /// <summary>
    /// Moves the clock of a card not yet issued to the event it really counts from (registration stands
    /// in for the arrival at a place of internment until custody reports the arrival).
    /// </summary>
    public void RebaseTo(DateTimeOffset occurredAt)
    {
        if (IssuedAt is not null)
        {
            throw new InvalidOperationException("An issued card's content is fixed.");
        }

        OccurredAt = occurredAt;
        DueAt = occurredAt + Deadlines.CaptureCard;
    }

    public void Withdraw(DateTimeOffset now) => WithdrawnAt ??= now;

    public void Issue(string content, DateTimeOffset now)
    {
        if (IssuedAt is not null)
        {
            throw new InvalidOperationException("The card was already issued.");
        }

        Content = content;
        IssuedAt = now;
    }
}
