using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;
using ProtoCondition = Registry.Protos.Medical.V1.Condition;
using ProtoEncounter = Registry.Protos.Medical.V1.Encounter;
using ProtoStatus = Registry.Protos.Medical.V1.MedicalStatus;

namespace Registry.Medical.Grpc;

/// <summary>From the medical domain to the contract. The enums share their numbers with the contract's.</summary>
public static class MedicalMapping
{
    /// <summary>What any authorised role may see: status and dates, never clinical detail.</summary>
    public static Protos.Medical.V1.MedicalSummary ToSummary(this MedicalRecord r)
    {
        var summary = new Protos.Medical.V1.MedicalSummary
        {
            CaseId = r.CaseId.ToString(),
            Status = System.Enum.IsDefined((ProtoStatus)(int)r.Status) ? (ProtoStatus)(int)r.Status : ProtoStatus.Unspecified,
            OpenedAt = Timestamp.FromDateTimeOffset(r.OpenedAt),
            ExaminationDueBy = Timestamp.FromDateTimeOffset(r.ExaminationDueBy),
        };
        if (r.LastExaminedAt is { } examined)
        {
            summary.LastExaminedAt = Timestamp.FromDateTimeOffset(examined);
        }

        return summary;
    }

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

    public static ProtoCondition ToProto(this Condition c)
    {
        var proto = new ProtoCondition
        {
            ConditionId = c.ConditionId.ToString(),
            Kind = (Protos.Medical.V1.ConditionKind)(int)c.Kind,
            Description = c.Description,
            BodySite = c.BodySite ?? "",
            Cause = c.Cause ?? "",
            Severity = c.Severity is { } s ? (Protos.Medical.V1.Severity)(int)s : Protos.Medical.V1.Severity.Unspecified,
            FoundInEncounterId = c.FoundInEncounterId.ToString(),
            FoundAt = Timestamp.FromDateTimeOffset(c.FoundAt),
            ResolvedInEncounterId = c.ResolvedInEncounterId?.ToString() ?? "",
        };
        if (c.ResolvedAt is { } resolvedAt)
        {
            proto.ResolvedAt = Timestamp.FromDateTimeOffset(resolvedAt);
        }

        return proto;
    }
}
