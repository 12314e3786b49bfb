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
    /// <summary>
    /// Set when the card is no longer owed: its case was merged into another, whose card stands for the person, or the
    /// person died before it was issued (the death's notification takes its place).
    /// </summary>
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

    /// <summary>
    /// Makes a card still owed by a merged case owed by the case it was merged into, with its clock as it was: the
    /// person still owes it (GC III Art. 70), and a card overdue stays overdue, now under the survivor.
    /// </summary>
    public void CarryTo(CaptureCase survivor)
    {
        EnsureNotIssued();

        CaseId = survivor.CaseId;
        CaseNumber = survivor.Number;
    }

    /// <summary>
    /// What a merge does to the capture cards of the two cases: the person's cards, not a case's, are owed.
    /// <list type="bullet">
    /// <item>A transfer or hospitalisation card the merged case owes is carried to the survivor with its due time:
    /// it answers for an event that happened to the person.</item>
    /// <item>The admission card (one per person: the week from the first arrival at a place of internment) is owed
    /// once. If the survivor's admission card was already issued, the merged case's owed one is withdrawn. Otherwise the
    /// person owes the earlier-due of the two: that card stays (carried to the survivor if it was the merged case's) and
    /// the other is withdrawn. So an overdue admission card never vanishes in a merge, and no second card is owed.</item>
    /// </list>
    /// Returns the cards carried and the cards withdrawn.
    /// </summary>
    public static (IReadOnlyList<CaptureCard> Carried, IReadOnlyList<CaptureCard> Withdrawn) Merge(
        CaptureCase survivor, IReadOnlyList<CaptureCard> survivorCards, CaptureCase merged, IReadOnlyList<CaptureCard> mergedCards, DateTimeOffset now)
    {
        var carried = new List<CaptureCard>();
        var withdrawn = new List<CaptureCard>();
        static bool Owed(CaptureCard c) => c.IssuedAt is null && c.WithdrawnAt is null;
        foreach (var card in mergedCards.Where(c => Owed(c) && c.Reason != CaptureCardReason.Admission))
        {
            card.CarryTo(survivor);
            carried.Add(card);
        }

        var survivorIssuedAdmission = survivorCards.Any(c => c.Reason == CaptureCardReason.Admission && c.IssuedAt is not null);
        var admissionsOwed = survivorCards.Concat(mergedCards)
            .Where(c => c.Reason == CaptureCardReason.Admission && Owed(c))
            .OrderBy(c => c.DueAt).ThenBy(c => c.Id).ToList();
        var keep = survivorIssuedAdmission ? null : admissionsOwed.FirstOrDefault();
        foreach (var card in admissionsOwed)
        {
            if (card == keep)
            {
                if (card.CaseId == merged.CaseId)
                {
                    card.CarryTo(survivor);
                    carried.Add(card);
                }

                continue;
            }

            card.Withdraw(now);
            withdrawn.Add(card);
        }

        return (carried, withdrawn);
    }

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
