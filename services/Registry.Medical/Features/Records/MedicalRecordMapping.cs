using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;
using ProtoCondition = Registry.Protos.Medical.V1.Condition;
using ProtoStatus = Registry.Protos.Medical.V1.MedicalStatus;

namespace Registry.Medical.Features.Records;

/// <summary>From the medical record to the contract. The enums share their numbers with the contract's (a test holds them aligned).</summary>
public static class MedicalRecordMapping
{
    /// <summary>What any authorised role may see: status and dates, never clinical detail.</summary>
    public static Protos.Medical.V1.MedicalSummary ToSummary(this MedicalRecord r)
    {
        var summary = new Protos.Medical.V1.MedicalSummary
        {
            CaseId = r.CaseId.ToString(),
            Status = System.Enum.IsDefined((ProtoStatus)(int)r.Status) ? (ProtoStatus)(int)r.Status : ProtoStatus.Unspecified,
            OpenedAt = Timestamp.FromDateTimeOffset(r.OpenedAt),
            // Only while inspections are owed (GC III Art. 31): not after a death, the end of captivity, an escape or a merge.
            ExaminationDueBy = r.OwesInspections ? Timestamp.FromDateTimeOffset(r.ExaminationDueBy) : null,
            MergedIntoCaseId = r.MergedIntoCaseId?.ToString() ?? "",
        };
        if (r.LastExaminedAt is { } examined)
        {
            summary.LastExaminedAt = Timestamp.FromDateTimeOffset(examined);
        }

        if (r.HospitalisedSince is { } hospitalised)
        {
            summary.HospitalisedSince = Timestamp.FromDateTimeOffset(hospitalised);
        }

        if (r.DiedAt is { } died)
        {
            summary.DiedAt = Timestamp.FromDateTimeOffset(died);
        }

        if (r.SeriouslyIllSince is { } seriouslyIll)
        {
            summary.SeriouslyIllSince = Timestamp.FromDateTimeOffset(seriouslyIll);
        }

        return summary;
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
