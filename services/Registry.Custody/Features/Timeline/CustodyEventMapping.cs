using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using ProtoEventKind = Registry.Protos.Custody.V1.CustodyEventKind;

namespace Registry.Custody.Features.Timeline;

/// <summary>From a timeline event to the contract (custody.proto spells out the hash over these fields).</summary>
public static class CustodyEventMapping
{
    public static Protos.Custody.V1.CustodyEvent ToProto(this CustodyEvent e) => new()
    {
        CaseId = e.CaseId.ToString(),
        Sequence = e.Sequence,
        Kind = e.Kind.ToProto(),
        OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt),
        RecordedAt = Timestamp.FromDateTimeOffset(e.RecordedAt),
        Facility = e.Facility?.ToProto(),
        CustodianAgency = e.CustodianAgency,
        Note = e.Note ?? "",
        PreviousHash = e.PreviousHash,
        Hash = e.Hash,
    };

    /// <summary>The contract's kind of the same name (the domain's enum mirrors custody.proto's CustodyEventKind).</summary>
    public static ProtoEventKind ToProto(this CustodyEventKind kind) =>
        System.Enum.TryParse<ProtoEventKind>(kind.ToString(), out var proto) ? proto : ProtoEventKind.Unspecified;
}
