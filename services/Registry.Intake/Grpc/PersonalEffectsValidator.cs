using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using EffectFate = Registry.Intake.Domain.EffectFate;

namespace Registry.Intake.Grpc;

public sealed record EffectItem(string Description, int Quantity, string? CurrencyCode, long? Units, int? Nanos);

public sealed record EffectsReceipt(
    Guid RequestId, Guid CaseId, string ReceiptNumber, string TakerName, string? TakerRank, string TakerUnit,
    DateTimeOffset TakenAt, IReadOnlyList<EffectItem> Items);

public sealed record EffectFateChange(Guid CaseId, Guid EffectId, EffectFate Fate, string? Note);

/// <summary>Checks effects-register requests (GC III Art. 18), naming every bad field.</summary>
public static class PersonalEffectsValidator
{
    private const int MaxItems = 100;

    public static EffectsReceipt Validate(RecordPersonalEffectsRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.Uuid("request_id", request.RequestId, required: true);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var receipt = errors.Text("receipt_number", request.ReceiptNumber, 64, required: true);
        string? name = null, rank = null, unit = null;
        if (request.TakenBy is null)
        {
            errors.Add("taken_by", "is required: Art. 18 makes the taker answerable");
        }
        else
        {
            name = errors.Text("taken_by.name", request.TakenBy.Name, 200, required: true);
            rank = errors.Text("taken_by.rank", request.TakenBy.Rank, 100, required: false);
            unit = errors.Text("taken_by.unit", request.TakenBy.Unit, 200, required: true);
        }

        var takenAt = errors.PastTimestamp("taken_at", request.TakenAt, now, required: true, fromUnixEpoch: true);

        if (request.Items.Count is 0 or > MaxItems)
        {
            errors.Add("items", $"must hold 1 to {MaxItems} items");
        }

        var items = new List<EffectItem>();
        for (var n = 0; n < Math.Min(request.Items.Count, MaxItems); n++)
        {
            var item = request.Items[n];
            var path = $"items[{n}]";
            var description = errors.Text($"{path}.description", item.Description, 500, required: true);
            if (item.Quantity is < 1 or > 100_000)
            {
                errors.Add($"{path}.quantity", "must be between 1 and 100000");
            }

            string? currency = null;
            if (item.Money is { } money)
            {
                currency = errors.Text($"{path}.money.currency_code", money.CurrencyCode, 3, required: true);
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
        return new EffectsReceipt(requestId!.Value, caseId!.Value, receipt!, name!, rank, unit!, takenAt!.Value, items);
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

        var note = errors.Text("fate_note", request.FateNote, 1000, required: fate == Protos.Intake.V1.EffectFate.HandedOver);
        errors.ThrowIfAny();
        return new EffectFateChange(caseId!.Value, effectId!.Value, (EffectFate)(int)fate!.Value, note);
    }
}
