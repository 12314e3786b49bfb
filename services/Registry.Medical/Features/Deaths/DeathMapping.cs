using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Deaths;

/// <summary>From a death to the contract. The enums share their numbers with the contract's.</summary>
public static class DeathMapping
{
    public static Protos.Medical.V1.Death ToProto(this Death d) => new()
    {
        CaseId = d.CaseId.ToString(),
        DiedAt = Timestamp.FromDateTimeOffset(d.DiedAt),
        Place = d.Place,
        Cause = d.Cause,
        Manner = (Protos.Medical.V1.DeathManner)(int)d.Manner,
        Certificate = new Protos.Medical.V1.DeathCertificate
        {
            Number = d.CertificateNumber, IssuedBy = d.CertificateIssuedBy, IssuedAt = Timestamp.FromDateTimeOffset(d.CertificateIssuedAt),
        },
        RecordedAt = Timestamp.FromDateTimeOffset(d.RecordedAt),
        CertifiedByAgency = d.CertifiedByAgency,
        CertifiedByClient = d.CertifiedByClient,
        EndedStayId = d.EndedStayId?.ToString() ?? "",
        EnquiryId = d.EnquiryId?.ToString() ?? "",
    };
}
