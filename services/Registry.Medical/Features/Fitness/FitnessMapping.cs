using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using FitnessAssessment = Registry.Medical.Domain.FitnessAssessment;
using FitnessOutcome = Registry.Medical.Domain.FitnessOutcome;
using FitnessPurpose = Registry.Medical.Domain.FitnessPurpose;
using ProtoAssessment = Registry.Protos.Medical.V1.FitnessAssessment;

namespace Registry.Medical.Features.Fitness;

/// <summary>From an assessment to the contract and the bus. The enums share their numbers with the contract's.</summary>
public static class FitnessMapping
{
    /// <summary>
    /// The assessment as the contract carries it; <paramref name="clinical"/> false (a caller without the medic role)
    /// leaves <c>clinical_reasons</c> empty: outcome, conditions and dates are what custody needs, the reasons are
    /// clinical detail (GC III Art. 30; DOMAIN.md: medical detail is only for <c>medic</c>).
    /// </summary>
    public static ProtoAssessment ToProto(this FitnessAssessment f, bool clinical) => new()
    {
        AssessmentId = f.AssessmentId.ToString(),
        CaseId = f.CaseId.ToString(),
        Purpose = (Protos.Medical.V1.FitnessPurpose)(int)f.Purpose,
        Outcome = (Protos.Medical.V1.FitnessOutcome)(int)f.Outcome,
        Conditions = f.Conditions ?? "",
        ClinicalReasons = clinical ? f.ClinicalReasons ?? "" : "",
        AssessedAt = Timestamp.FromDateTimeOffset(f.AssessedAt),
        ValidUntil = Timestamp.FromDateTimeOffset(f.ValidUntil),
        AssessedBy = f.AssessedBy,
        AssessedByAgency = f.AssessedByAgency,
        AssessedByClient = f.AssessedByClient,
        RecordedAt = Timestamp.FromDateTimeOffset(f.RecordedAt),
    };

    public static GetFitnessResponse ToProto(this FitnessAnswer answer, bool clinical)
    {
        var response = new GetFitnessResponse
        {
            CaseId = answer.Question.CaseId.ToString(),
            Purpose = (Protos.Medical.V1.FitnessPurpose)(int)answer.Question.Purpose,
            At = Timestamp.FromDateTimeOffset(answer.Question.At),
            Standing = answer.InForce is null ? FitnessStanding.None : FitnessStanding.InForce,
            Assessment = answer.InForce?.ToProto(clinical),
            MergedIntoCaseId = answer.MergedIntoCaseId?.ToString() ?? "",
        };
        if (answer.ExpiredAt is { } expired)
        {
            response.ExpiredAt = Timestamp.FromDateTimeOffset(expired);
        }

        if (answer.DiedAt is { } died)
        {
            response.DiedAt = Timestamp.FromDateTimeOffset(died);
        }

        return response;
    }

    /// <summary>The purpose as the bus names it (the contract's enum value without its prefix): INTERVIEW, TRANSFER, REPATRIATION.</summary>
    public static string Name(FitnessPurpose purpose) => purpose switch
    {
        FitnessPurpose.Interview => "INTERVIEW",
        FitnessPurpose.Transfer => "TRANSFER",
        FitnessPurpose.Repatriation => "REPATRIATION",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };

    /// <summary>The outcome as the bus names it: FIT, FIT_WITH_CONDITIONS, UNFIT.</summary>
    public static string Name(FitnessOutcome outcome) => outcome switch
    {
        FitnessOutcome.Fit => "FIT",
        FitnessOutcome.FitWithConditions => "FIT_WITH_CONDITIONS",
        FitnessOutcome.Unfit => "UNFIT",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
