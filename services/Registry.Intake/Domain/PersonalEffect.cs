using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;

namespace Registry.Intake.Domain;

public enum EffectFate
{
    Held = 1,
    Returned = 2,
    HandedOver = 3,
}

/// <summary>One item of a receipt, as the taker entered it.</summary>
public sealed record EffectItem(string Description, int Quantity, string? CurrencyCode, long? Units, int? Nanos);

/// <summary>A validated receipt for items taken from a person (GC III Art. 18).</summary>
public sealed record EffectsReceipt(
    IdempotencyKey Key, Guid CaseId, string ReceiptNumber, string TakerName, string? TakerRank, string TakerUnit,
    DateTimeOffset TakenAt, IReadOnlyList<EffectItem> Items);

/// <summary>
/// An entry of a case's effects register (GC III Art. 18): what was taken, against which receipt,
/// by whom and when, and what became of it. Entries are never deleted.
/// </summary>
public sealed class PersonalEffect
{
    public const string ResourceType = "registry.intake.v1.PersonalEffect";

    // Field limits, read by the validators and the EF configuration alike.
    public const int MaxItemsPerReceipt = 100;
    public const int ReceiptNumberMaxLength = 64;
    public const int DescriptionMaxLength = 500;
    public const int CurrencyCodeLength = 3;
    public const int TakenByNameMaxLength = 200;
    public const int TakenByRankMaxLength = 100;
    public const int TakenByUnitMaxLength = 200;
    public const int FateNoteMaxLength = 1000;
    public const int MaxQuantity = 100_000;

    private PersonalEffect()
    {
    }

    public long Id { get; private set; }
    public Guid EffectId { get; private set; }
    public Guid CaseId { get; private set; }
    /// <summary>The idempotency key of the request that entered the receipt, and a hash of that request.</summary>
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];
    public string ReceiptNumber { get; private set; } = "";
    /// <summary>The item's position on its receipt.</summary>
    public int ItemIndex { get; private set; }
    public string Description { get; private set; } = "";
    public int Quantity { get; private set; }
    public string? CurrencyCode { get; private set; }
    public long? AmountUnits { get; private set; }
    public int? AmountNanos { get; private set; }
    public string TakenByName { get; private set; } = "";
    public string? TakenByRank { get; private set; }
    public string TakenByUnit { get; private set; } = "";
    public DateTimeOffset TakenAt { get; private set; }
    public EffectFate Fate { get; private set; } = EffectFate.Held;
    public string? FateNote { get; private set; }
    public DateTimeOffset? FateRecordedAt { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>
    /// Enters a receipt's items in the register of <paramref name="owner"/>, all held. A merged case takes
    /// no more entries: they belong on the case it was merged into.
    /// </summary>
    public static IReadOnlyList<PersonalEffect> Receive(CaptureCase owner, EffectsReceipt receipt, byte[] requestHash, DateTimeOffset now)
    {
        owner.EnsureOpen();
        return receipt.Items.Select((item, index) => new PersonalEffect
        {
            ItemIndex = index,
            EffectId = Guid.CreateVersion7(now),
            CaseId = owner.CaseId,
            RequestId = receipt.Key.RequestId,
            RequestHash = requestHash,
            ReceiptNumber = receipt.ReceiptNumber,
            Description = item.Description,
            Quantity = item.Quantity,
            CurrencyCode = item.CurrencyCode,
            AmountUnits = item.Units,
            AmountNanos = item.Nanos,
            TakenByName = receipt.TakerName,
            TakenByRank = receipt.TakerRank,
            TakenByUnit = receipt.TakerUnit,
            TakenAt = receipt.TakenAt,
            RecordedAt = now,
        }).ToList();
    }

    /// <summary>
    /// Records what became of the item: returned to the person or handed over (e.g. to the Detaining
    /// Power's paymaster). Final: an item no longer held has left the holding power's hands.
    /// </summary>
    public void RecordFate(EffectFate fate, string? note, DateTimeOffset now)
    {
        if (fate == EffectFate.Held)
        {
            throw new RuleViolationException("EFFECT_FATE_HELD", ResourceType, $"effects/{EffectId}", "every item starts held; record RETURNED or HANDED_OVER");
        }

        if (Fate != EffectFate.Held)
        {
            throw new RuleViolationException("EFFECT_FATE_FINAL", ResourceType, $"effects/{EffectId}",
                $"the item was already {Fate}; it is no longer in the holding power's hands");
        }

        Fate = fate;
        FateNote = note;
        FateRecordedAt = now;
    }
}
