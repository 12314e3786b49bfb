using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Hospitalisation;

/// <summary>From a hospital stay to the contract (clinical: medic only). The enums share their numbers with the contract's.</summary>
public static class HospitalisationMapping
{
    public static Protos.Medical.V1.HospitalStay ToProto(this HospitalStay s)
    {
        var proto = new Protos.Medical.V1.HospitalStay
        {
            StayId = s.StayId.ToString(),
            CaseId = s.CaseId.ToString(),
            Hospital = new Protos.Medical.V1.Hospital { Name = s.HospitalName, Locality = s.HospitalLocality ?? "", Country = s.HospitalCountry },
            AdmittedAt = Timestamp.FromDateTimeOffset(s.AdmittedAt),
            Reason = s.Reason,
            Outcome = s.Outcome is { } o ? (Protos.Medical.V1.DischargeOutcome)(int)o : Protos.Medical.V1.DischargeOutcome.Unspecified,
            DischargeNotes = s.DischargeNotes ?? "",
            AdmittedByAgency = s.AdmittedByAgency,
            AdmittedByClient = s.AdmittedByClient,
            DischargedByAgency = s.DischargedByAgency ?? "",
            DischargedByClient = s.DischargedByClient ?? "",
        };
        if (s.DischargedAt is { } discharged)
        {
            proto.DischargedAt = Timestamp.FromDateTimeOffset(discharged);
        }

        return proto;
    }
}
