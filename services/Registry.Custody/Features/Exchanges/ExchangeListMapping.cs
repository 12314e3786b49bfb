using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using ProtoEntry = Registry.Protos.Custody.V1.ExchangeListEntry;
using ProtoList = Registry.Protos.Custody.V1.ExchangeList;
using ProtoOutcome = Registry.Protos.Custody.V1.ExchangeOutcome;
using ProtoState = Registry.Protos.Custody.V1.ExchangeListState;
using ProtoStep = Registry.Protos.Custody.V1.ExchangeListStep;

namespace Registry.Custody.Features.Exchanges;

/// <summary>From exchange lists to the contract.</summary>
public static class ExchangeListMapping
{
    public static ProtoList ToProto(this ExchangeList l, int entryCount)
    {
        var proto = new ProtoList
        {
            ExchangeListId = l.ExchangeListId.ToString(),
            Reference = l.Reference,
            Counterpart = new Protos.Custody.V1.ExchangeCounterpart { State = l.CounterpartState, Authority = l.CounterpartAuthority },
            Note = l.Note ?? "",
            State = l.State.ToProto(),
            Version = l.Version,
            EntryCount = entryCount,
            Drafted = Step(l.DraftedByAgency, l.DraftedByClient, l.DraftedAt),
            Agreed = Step(l.AgreedByAgency, l.AgreedByClient, l.AgreedAt),
            Cancelled = Step(l.CancelledByAgency, l.CancelledByClient, l.CancelledAt),
            CancelReason = l.CancelReason ?? "",
            Executed = Step(l.ExecutedByAgency, l.ExecutedByClient, l.ExecutionRecordedAt),
        };
        if (l.ExecutedAt is { } executedAt)
        {
            proto.ExecutedAt = Timestamp.FromDateTimeOffset(executedAt);
        }

        return proto;
    }

    /// <summary>An entry with the person's custody state and non-refoulement hold as they stand now.</summary>
    public static ProtoEntry ToProto(this ExchangeListLine line)
    {
        var (e, record) = (line.Entry, line.Record);
        var hold = record?.NonRefoulementHold();
        return new ProtoEntry
        {
            CaseId = e.CaseId.ToString(),
            CaseNumber = e.CaseNumber,
            ListedAt = Timestamp.FromDateTimeOffset(e.ListedAt),
            CustodyState = record?.State.ToProto() ?? Protos.Custody.V1.CustodyState.Unspecified,
            OnHold = hold is not null,
            NonRefoulementHold = hold ?? "",
            Outcome = System.Enum.Parse<ProtoOutcome>(e.Outcome.ToString()),
            HeldBackReason = e.HeldBackReason ?? "",
            HeldBackDetail = e.HeldBackDetail ?? "",
        };
    }

    public static ProtoState ToProto(this ExchangeListState state) => System.Enum.Parse<ProtoState>(state.ToString());

    private static ProtoStep? Step(string? agency, string? client, DateTimeOffset? at) =>
        at is { } when ? new ProtoStep { Agency = agency ?? "", ClientId = client ?? "", At = Timestamp.FromDateTimeOffset(when) } : null;
}
