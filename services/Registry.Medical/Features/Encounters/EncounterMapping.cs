using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using ProtoEncounter = Registry.Protos.Medical.V1.Encounter;

namespace Registry.Medical.Features.Encounters;

/// <summary>From an encounter to the contract, naming the conditions it found and resolved.</summary>
public static class EncounterMapping
{
    public static ProtoEncounter ToProto(this Encounter e, IEnumerable<Condition> conditions)
    {
        var proto = new ProtoEncounter
        {
            EncounterId = e.EncounterId.ToString(),
            CaseId = e.CaseId.ToString(),
            Kind = (Protos.Medical.V1.EncounterKind)(int)e.Kind,
            OccurredAt = Timestamp.FromDateTimeOffset(e.OccurredAt),
            RecordedAt = Timestamp.FromDateTimeOffset(e.RecordedAt),
            Place = e.Place,
            Clinician = e.Clinician,
            Notes = e.Notes ?? "",
            RecordedByAgency = e.RecordedByAgency,
            RecordedByClient = e.RecordedByClient,
        };
        foreach (var c in conditions)
        {
            if (c.FoundInEncounterId == e.EncounterId)
            {
                proto.FoundConditionIds.Add(c.ConditionId.ToString());
            }

            if (c.ResolvedInEncounterId == e.EncounterId)
            {
                proto.ResolvedConditionIds.Add(c.ConditionId.ToString());
            }
        }

        return proto;
    }

    public static Protos.Medical.V1.RecordEncounterResponse ToProto(this EncounterResult r)
    {
        var response = new Protos.Medical.V1.RecordEncounterResponse
        {
            Encounter = r.Encounter.ToProto(r.Changed), Summary = r.Record.ToSummary(), Replayed = r.Replayed,
        };
        response.Conditions.AddRange(r.Changed.Select(c => c.ToProto()));
        return response;
    }
}
