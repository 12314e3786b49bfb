using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using ProtoFacility = Registry.Protos.Custody.V1.Facility;
using ProtoRecord = Registry.Protos.Custody.V1.CustodyRecord;
using ProtoState = Registry.Protos.Custody.V1.CustodyState;

namespace Registry.Custody.Features.Records;

/// <summary>From the custody record to the contract.</summary>
public static class CustodyRecordMapping
{
    public static ProtoRecord ToProto(this CustodyRecord r)
    {
        var proto = new ProtoRecord
        {
            CaseId = r.CaseId.ToString(),
            CaseNumber = r.CaseNumber,
            State = r.State.ToProto(),
            CapturedAt = Timestamp.FromDateTimeOffset(r.CapturedAt),
            CapturePlace = r.CapturePlace,
            CapturingAgency = r.CapturingAgency,
            OpenedAt = Timestamp.FromDateTimeOffset(r.OpenedAt),
            Facility = r.Facility?.ToProto(),
            CustodianAgency = r.CustodianAgency,
            EventCount = r.EventCount,
            HeadHash = r.HeadHash,
            MergedIntoCaseId = r.MergedIntoCaseId?.ToString() ?? "",
        };
        if (r.AdmittedAt is { } admittedAt)
        {
            proto.AdmittedAt = Timestamp.FromDateTimeOffset(admittedAt);
        }

        return proto;
    }

    public static ProtoState ToProto(this CustodyState state) => state switch
    {
        CustodyState.AwaitingAdmission => ProtoState.AwaitingAdmission,
        CustodyState.Held => ProtoState.Held,
        CustodyState.Merged => ProtoState.Merged,
        _ => ProtoState.Unspecified,
    };

    public static ProtoFacility ToProto(this Facility f) => new() { Name = f.Name, Locality = f.Locality ?? "", Country = f.Country ?? "" };
}
