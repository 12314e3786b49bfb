using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;

namespace Registry.Custody.Features.IcrcVisits;

/// <summary>From an ICRC visit to the contract (custody.proto's IcrcVisit: of a private interview only that it took place).</summary>
public static class IcrcVisitMapping
{
    public static Protos.Custody.V1.IcrcVisit ToProto(this IcrcVisit v)
    {
        var proto = new Protos.Custody.V1.IcrcVisit
        {
            VisitId = v.VisitId.ToString(),
            VisitingAgency = v.VisitingAgency,
            VisitedAt = Timestamp.FromDateTimeOffset(v.VisitedAt),
            Facility = v.Facility.ToProto(),
            RecordedAt = Timestamp.FromDateTimeOffset(v.RecordedAt),
        };
        proto.Delegates.AddRange(v.Delegates);
        proto.CaseIds.AddRange(v.PrivateInterviews.OrderBy(p => p.Position).Select(p => p.CaseId.ToString()));
        return proto;
    }
}
