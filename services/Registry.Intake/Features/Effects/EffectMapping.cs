using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Effects;

public static class EffectMapping
{
    public static RecordPersonalEffectsResponse ToProto(this EffectsRecorded r)
    {
        var response = new RecordPersonalEffectsResponse { Replayed = r.Replayed };
        response.Effects.AddRange(r.Effects.Select(e => e.ToProto()));
        return response;
    }

    public static ListPersonalEffectsResponse ToProto(this Page<Domain.PersonalEffect> page)
    {
        var response = new ListPersonalEffectsResponse { NextPageToken = page.NextPageToken };
        response.Effects.AddRange(page.Items.Select(e => e.ToProto()));
        return response;
    }

    public static Protos.Intake.V1.PersonalEffect ToProto(this Domain.PersonalEffect e) => new()
    {
        EffectId = e.EffectId.ToString(),
        Description = e.Description,
        Quantity = e.Quantity,
        Money = e.CurrencyCode is null ? null : new Money { CurrencyCode = e.CurrencyCode, Units = e.AmountUnits ?? 0, Nanos = e.AmountNanos ?? 0 },
        ReceiptNumber = e.ReceiptNumber,
        TakenBy = new EffectTaker { Name = e.TakenByName, Rank = e.TakenByRank ?? "", Unit = e.TakenByUnit },
        TakenAt = Timestamp.FromDateTimeOffset(e.TakenAt),
        Fate = (Protos.Intake.V1.EffectFate)(int)e.Fate,
        FateNote = e.FateNote ?? "",
        FateRecordedAt = e.FateRecordedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };
}
