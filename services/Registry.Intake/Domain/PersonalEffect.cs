namespace Registry.Intake.Domain;

public enum EffectFate
{
    Held = 1,
    Returned = 2,
    HandedOver = 3,
}

/// <summary>
/// An entry of a case's effects register (GC III Art. 18): what was taken, against which receipt,
/// by whom and when, and what became of it. Entries are never deleted.
/// </summary>
public sealed class PersonalEffect
{
    public long Id { get; set; }
    public Guid EffectId { get; set; }
    public Guid CaseId { get; set; }
    /// <summary>The idempotency key of the request that entered the receipt, and a hash of that request.</summary>
    public Guid RequestId { get; set; }
    public required byte[] RequestHash { get; set; }
    public required string ReceiptNumber { get; set; }
    /// <summary>The item's position on its receipt.</summary>
    public int ItemIndex { get; set; }
    public required string Description { get; set; }
    public int Quantity { get; set; }
    public string? CurrencyCode { get; set; }
    public long? AmountUnits { get; set; }
    public int? AmountNanos { get; set; }
    public required string TakenByName { get; set; }
    public string? TakenByRank { get; set; }
    public required string TakenByUnit { get; set; }
    public DateTimeOffset TakenAt { get; set; }
    public EffectFate Fate { get; set; } = EffectFate.Held;
    public string? FateNote { get; set; }
    public DateTimeOffset? FateRecordedAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>Why the item cannot take <paramref name="fate"/>, or null when it can.</summary>
    public string? FateProblem(EffectFate fate) => Fate switch
    {
        _ when fate == EffectFate.Held => "every item starts held; record RETURNED or HANDED_OVER",
        EffectFate.Held => null,
        _ => $"the item was already {Fate}; it is no longer in the holding power's hands",
    };

    public void RecordFate(EffectFate fate, string? note, DateTimeOffset now)
    {
        if (FateProblem(fate) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        Fate = fate;
        FateNote = note;
        FateRecordedAt = now;
    }
}
