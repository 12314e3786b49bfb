using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Enquiries;

/// <summary>From an enquiry to the contract (no clinical detail). The enums share their numbers with the contract's.</summary>
public static class EnquiryMapping
{
    public static Protos.Medical.V1.Enquiry ToProto(this Enquiry e)
    {
        var proto = new Protos.Medical.V1.Enquiry
        {
            EnquiryId = e.EnquiryId.ToString(),
            CaseId = e.CaseId.ToString(),
            Reference = e.Reference,
            Grounds = (Protos.Medical.V1.EnquiryGrounds)(int)e.Grounds,
            Circumstances = e.Circumstances,
            OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt),
            Status = (Protos.Medical.V1.EnquiryStatus)(int)e.Status,
            OpenedAt = Timestamp.FromDateTimeOffset(e.OpenedAt),
            OpenedByAgency = e.OpenedByAgency,
            OpenedByClient = e.OpenedByClient,
            Findings = e.Findings ?? "",
            ClosedByAgency = e.ClosedByAgency ?? "",
            ClosedByClient = e.ClosedByClient ?? "",
        };
        if (e.ClosedAt is { } closed)
        {
            proto.ClosedAt = Timestamp.FromDateTimeOffset(closed);
        }

        return proto;
    }
}
