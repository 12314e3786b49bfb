using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using EffectFate = Registry.Intake.Domain.EffectFate;
using EffectItem = Registry.Intake.Domain.EffectItem;
using EffectsReceipt = Registry.Intake.Domain.EffectsReceipt;
using Limits = Registry.Intake.Domain.PersonalEffect;

namespace Registry.Intake.Features.Effects;

/// <summary>A validated RecordPersonalEffectFate request.</summary>
public sealed record EffectFateChange(Guid CaseId, Guid EffectId, EffectFate Fate, string? Note);

/// <summary>Checks effects-register requests (GC III Art. 18), naming every bad field.</summary>
public static class PersonalEffectsValidator
{
    public static EffectsReceipt Validate(RecordPersonalEffectsRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var receipt = errors.Text("receipt_number", request.ReceiptNumber, Limits.ReceiptNumberMaxLength, required: true);
        string? name = null, rank = null, unit = null;
        if (request.TakenBy is null)
        {
            errors.Add("taken_by", "is required: Art. 18 makes the taker answerable");
        }
        else
        {
            name = errors.Text("taken_by.name", request.TakenBy.Name, Limits.TakenByNameMaxLength, required: true);
            rank = errors.Text("taken_by.rank", request.TakenBy.Rank, Limits.TakenByRankMaxLength, required: false);
            unit = errors.Text("taken_by.unit", request.TakenBy.Unit, Limits.TakenByUnitMaxLength, required: true);
        }

        var takenAt = errors.PastTimestamp("taken_at", request.TakenAt, now, required: true);

        if (request.Items.Count is 0 or > Limits.MaxItemsPerReceipt)
        {
            errors.Add("items", $"must hold 1 to {Limits.MaxItemsPerReceipt} items");
        }

        var items = new List<EffectItem>();
        for (var n = 0; n < Math.Min(request.Items.Count, Limits.MaxItemsPerReceipt); n++)
        {
            var item = request.Items[n];
            var path = $"items[{n}]";
            var description = errors.Text($"{path}.description", item.Description, Limits.DescriptionMaxLength, required: true);
            if (item.Quantity is < 1 or > Limits.MaxQuantity)
            {
                errors.Add($"{path}.quantity", "must be between 1 and 100000");
            }

            string? currency = null;
            if (item.Money is { } money)
            {
                currency = errors.Text($"{path}.money.currency_code", money.CurrencyCode, Limits.CurrencyCodeLength, required: true);
                if (currency is not null && !(currency.Length == 3 && currency.All(char.IsAsciiLetterUpper)))
                {
                    errors.Add($"{path}.money.currency_code", "must be an ISO 4217 code in capitals, e.g. RUB");
                }

                if (money.Units < 0 || money.Nanos is < 0 or > 999_999_999 || (money.Units == 0 && money.Nanos == 0))
                {
                    errors.Add($"{path}.money", "the amount must be positive, with nanos between 0 and 999999999");
                }
            }

            if (description is not null)
            {
                items.Add(new EffectItem(description, item.Quantity, currency, item.Money?.Units, item.Money?.Nanos));
            }
        }

        errors.ThrowIfAny();
        return new EffectsReceipt(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, receipt!, name!, rank, unit!, takenAt!.Value, items);
    }

    public static EffectFateChange Validate(RecordPersonalEffectFateRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var effectId = errors.Uuid("effect_id", request.EffectId, required: true);
        var fate = errors.Enum("fate", request.Fate, required: true);
        if (fate == Protos.Intake.V1.EffectFate.Held)
        {
            errors.Add("fate", "every item starts held; record RETURNED or HANDED_OVER");
        }

        var note = errors.Text("fate_note", request.FateNote, Limits.FateNoteMaxLength, required: fate == Protos.Intake.V1.EffectFate.HandedOver);
        errors.ThrowIfAny();
        return new EffectFateChange(caseId!.Value, effectId!.Value, (EffectFate)(int)fate!.Value, note);
    }
}
