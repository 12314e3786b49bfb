using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Certificates;

/// <summary>From a certificate to the contract.</summary>
public static class TreatmentCertificateMapping
{
    public static Protos.Medical.V1.TreatmentCertificate ToProto(this TreatmentCertificate c)
    {
        var proto = new Protos.Medical.V1.TreatmentCertificate
        {
            CertificateId = c.CertificateId.ToString(),
            Number = c.CertificateNumber,
            CaseId = c.CaseId.ToString(),
            CaseNumber = c.CaseNumber,
            FamilyName = c.Name?.FamilyName ?? "",
            GivenNames = c.Name?.GivenNames ?? "",
            FamilyNameLatin = c.Name?.FamilyNameLatin ?? "",
            GivenNamesLatin = c.Name?.GivenNamesLatin ?? "",
            RequestedAt = Timestamp.FromDateTimeOffset(c.RequestedAt),
            Nature = c.Nature ?? "",
            Treatment = c.Treatment,
            TreatmentFrom = Timestamp.FromDateTimeOffset(c.TreatmentFrom),
            Place = c.Place,
            MedicName = c.MedicName,
            MedicFunction = c.MedicFunction,
            IssuedByAgency = c.IssuedByAgency,
            IssuedByClient = c.IssuedByClient,
            IssuedAt = Timestamp.FromDateTimeOffset(c.IssuedAt),
            Language = c.Language,
        };
        proto.ConditionIds.AddRange(c.ConditionIds.Select(id => id.ToString()));
        proto.Conditions.AddRange(c.ConditionsStated);
        if (c.TreatmentTo is { } to)
        {
            proto.TreatmentTo = Timestamp.FromDateTimeOffset(to);
        }

        return proto;
    }
}
