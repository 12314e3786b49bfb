using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using ProtoFacility = Registry.Protos.Custody.V1.Facility;
using ProtoRecord = Registry.Protos.Custody.V1.CustodyRecord;
using ProtoReturnRisk = Registry.Protos.Custody.V1.ReturnRisk;
using ProtoReturnWish = Registry.Protos.Custody.V1.ReturnWish;
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
            StateSince = Timestamp.FromDateTimeOffset(r.StateSince),
            Hospital = r.Hospital ?? "",
            TransferTo = r.TransferTo?.ToProto(),
            TransferToAgency = r.TransferToAgency ?? "",
            ReturnRisk = r.ReturnRisk is { } risk ? System.Enum.Parse<ProtoReturnRisk>(risk.ToString()) : ProtoReturnRisk.Unspecified,
            ReturnWish = r.ReturnWish is { } wish ? System.Enum.Parse<ProtoReturnWish>(wish.ToString()) : ProtoReturnWish.Unspecified,
            NonRefoulementHold = r.NonRefoulementHold() ?? "",
        };
        if (r.AdmittedAt is { } admittedAt)
        {
            proto.AdmittedAt = Timestamp.FromDateTimeOffset(admittedAt);
        }

        return proto;
    }

    /// <summary>The contract's state of the same name (the domain's enum mirrors custody.proto's CustodyState).</summary>
    public static ProtoState ToProto(this CustodyState state) =>
        System.Enum.TryParse<ProtoState>(state.ToString(), out var proto) ? proto : ProtoState.Unspecified;

    public static ProtoFacility ToProto(this Facility f) => new() { Name = f.Name, Locality = f.Locality ?? "", Country = f.Country ?? "" };
}
