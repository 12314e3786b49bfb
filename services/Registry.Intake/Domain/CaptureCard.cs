using Registry.ServiceDefaults.Domain;

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
    public const string ResourceType = "registry.intake.v1.CaptureCard";

    private CaptureCard()
    {
    }

    public long Id { get; private set; }
    public Guid CardId { get; private set; }
    public Guid CaseId { get; private set; }
    public long CaseNumber { get; private set; }
    public CaptureCardReason Reason { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    public DateTimeOffset? IssuedAt { get; private set; }
    /// <summary>Set when the card is no longer owed: its case was merged into another, whose card stands for the person.</summary>
    public DateTimeOffset? WithdrawnAt { get; private set; }
    /// <summary>The issued card's content, as the contract's JSON.</summary>
    public string? Content { get; private set; }

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
        EnsureNotIssued();

        OccurredAt = occurredAt;
        DueAt = occurredAt + Deadlines.CaptureCard;
    }

    public void Withdraw(DateTimeOffset now) => WithdrawnAt ??= now;

    public void Issue(string content, DateTimeOffset now)
    {
        EnsureNotIssued();

        Content = content;
        IssuedAt = now;
    }

    /// <summary>An issued card went out as it stood; its content and clock are fixed.</summary>
    private void EnsureNotIssued()
    {
        if (IssuedAt is not null)
        {
            throw new RuleViolationException("CAPTURE_CARD_ISSUED", ResourceType, $"captureCards/{CardId}", "The card was already issued; its content is fixed.");
        }
    }
}
