using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;

namespace Registry.Intake.Tests.Domain;

/// <summary>The effects register (GC III Art. 18), without a database.</summary>
public sealed class PersonalEffectTests
{
    private static readonly DateTimeOffset Now = Aggregates.Captured.AddHours(2);

    private static EffectsReceipt Receipt(Guid caseId) => new(new IdempotencyKey(Guid.NewGuid(), new byte[32]), caseId, "R-1", "Sgt. Petrenko", null, "unit", Aggregates.Captured,
        [new EffectItem("Wristwatch", 1, null, null, null), new EffectItem("Banknotes", 12, "RUB", 3500, 0)]);

    [Fact]
    public void Items_are_entered_held_against_their_receipt_in_its_order()
    {
        var c = Aggregates.NewCase();
        var hash = new byte[] { 1, 2, 3 };

        var entries = PersonalEffect.Receive(c, Receipt(c.CaseId), hash, Now);

        Assert.Equal([0, 1], entries.Select(e => e.ItemIndex));
        Assert.All(entries, e => Assert.Equal((c.CaseId, EffectFate.Held, "R-1", "Sgt. Petrenko", hash, Now), (e.CaseId, e.Fate, e.ReceiptNumber, e.TakenByName, e.RequestHash, e.RecordedAt)));
        Assert.Equal(("RUB", 3500L), (entries[1].CurrencyCode, entries[1].AmountUnits!.Value));
        Assert.NotEqual(entries[0].EffectId, entries[1].EffectId);
    }

    [Fact]
    public void A_merged_case_takes_no_more_entries()
    {
        var survivor = Aggregates.NewCase();
        var merged = Aggregates.NewCase();
        merged.MergeInto(survivor, Now);

        Assert.Equal("CASE_MERGED", Assert.Throws<RuleViolationException>(() => PersonalEffect.Receive(merged, Receipt(merged.CaseId), [], Now)).Reason);
    }

    [Theory]
    [InlineData(EffectFate.Returned)]
    [InlineData(EffectFate.HandedOver)]
    public void A_held_item_can_be_returned_or_handed_over_once(EffectFate fate)
    {
        var c = Aggregates.NewCase();
        var item = PersonalEffect.Receive(c, Receipt(c.CaseId), [], Now)[0];

        item.RecordFate(fate, "to the paymaster", Now.AddDays(1));

        Assert.Equal((fate, "to the paymaster", Now.AddDays(1)), (item.Fate, item.FateNote, item.FateRecordedAt!.Value));
        var again = Assert.Throws<RuleViolationException>(() => item.RecordFate(EffectFate.Returned, null, Now.AddDays(2)));
        Assert.Equal(("EFFECT_FATE_FINAL", PersonalEffect.ResourceType, $"effects/{item.EffectId}"), (again.Reason, again.ResourceType, again.Subject));
        Assert.Equal(fate, item.Fate);
    }

    [Fact]
    public void Held_is_where_every_item_starts_not_a_fate_to_record()
    {
        var c = Aggregates.NewCase();
        var item = PersonalEffect.Receive(c, Receipt(c.CaseId), [], Now)[0];

        Assert.Equal("EFFECT_FATE_HELD", Assert.Throws<RuleViolationException>(() => item.RecordFate(EffectFate.Held, null, Now)).Reason);
        Assert.Null(item.FateRecordedAt);
    }
}
