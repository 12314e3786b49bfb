using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using ProtoEventKind = Registry.Protos.Custody.V1.CustodyEventKind;
using ProtoFacility = Registry.Protos.Custody.V1.Facility;
using ProtoRecord = Registry.Protos.Custody.V1.CustodyRecord;
using ProtoState = Registry.Protos.Custody.V1.CustodyState;

namespace Registry.Custody.Grpc;

/// <summary>From the custody domain to the contract.</summary>
public static class CustodyMapping
{
    public static ProtoRecord ToProto(this CustodyRecord r)
    {
        var proto = new ProtoRecord
        {
            CaseId = r.CaseId.ToString(),
            CaseNumber = r.CaseNumber,
            State = r.State switch
            {
                CustodyState.AwaitingAdmission => ProtoState.AwaitingAdmission,
                CustodyState.Held => ProtoState.Held,
                _ => ProtoState.Unspecified,
            },
            CapturedAt = Timestamp.FromDateTimeOffset(r.CapturedAt),
            CapturePlace = r.CapturePlace,
            CapturingAgency = r.CapturingAgency,
            OpenedAt = Timestamp.FromDateTimeOffset(r.OpenedAt),
            Facility = r.Facility?.ToProto(),
            CustodianAgency = r.CustodianAgency,
            EventCount = r.EventCount,
            HeadHash = r.HeadHash,
        };
        if (r.AdmittedAt is { } admittedAt)
        {
            proto.AdmittedAt = Timestamp.FromDateTimeOffset(admittedAt);
        }

        return proto;
    }

    public static Protos.Custody.V1.CustodyEvent ToProto(this CustodyEvent e) => new()
    {
        CaseId = e.CaseId.ToString(),
        Sequence = e.Sequence,
        Kind = e.Kind switch
        {
            CustodyEventKind.Captured => ProtoEventKind.Captured,
            CustodyEventKind.Admitted => ProtoEventKind.Admitted,
            _ => ProtoEventKind.Unspecified,
        },
        OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt),
        RecordedAt = Timestamp.FromDateTimeOffset(e.RecordedAt),
        Facility = e.Facility?.ToProto(),
        CustodianAgency = e.CustodianAgency,
        Note = e.Note ?? "",
        PreviousHash = e.PreviousHash,
        Hash = e.Hash,
    };

    private static ProtoFacility ToProto(this Facility f) => new() { Name = f.Name, Locality = f.Locality ?? "", Country = f.Country ?? "" };
}
