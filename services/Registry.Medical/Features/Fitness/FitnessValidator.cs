using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using FitnessAssessment = Registry.Medical.Domain.FitnessAssessment;
using FitnessOutcome = Registry.Medical.Domain.FitnessOutcome;
using FitnessPurpose = Registry.Medical.Domain.FitnessPurpose;

namespace Registry.Medical.Features.Fitness;

/// <summary>A validated assessment: the typed command <see cref="AssessFitnessHandler"/> takes.</summary>
public sealed record FitnessEntry(IdempotencyKey Key, Guid CaseId, FitnessStatement Statement);

/// <summary>A validated <c>GetFitness</c> question.</summary>
public sealed record FitnessQuestion(Guid CaseId, FitnessPurpose Purpose, DateTimeOffset At);

/// <summary>A validated page of a case's assessments, of one purpose or all.</summary>
public sealed record FitnessPageRequest(Guid CaseId, FitnessPurpose? Purpose, PageRequest Page);

/// <summary>Checks the fitness requests, naming every bad field at once.</summary>
public static class FitnessValidator
{
    public static FitnessEntry Validate(AssessFitnessRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var purpose = errors.Enum("purpose", request.Purpose, required: true);
        var outcome = errors.Enum("outcome", request.Outcome, required: true);
        var withConditions = outcome == Protos.Medical.V1.FitnessOutcome.FitWithConditions;
        var conditions = errors.Text("conditions", request.Conditions, FitnessAssessment.ConditionsMaxLength, required: withConditions);
        if (conditions is not null && outcome is not null && !withConditions)
        {
            errors.Add("conditions", "is only for FIT_WITH_CONDITIONS: a person fit or unfit has no conditions to follow");
            conditions = null;
        }

        // A statement that restricts or refuses says why (GC III Art. 30: the medic's findings are recorded).
        var reasons = errors.Text("clinical_reasons", request.ClinicalReasons, FitnessAssessment.ClinicalReasonsMaxLength,
            required: outcome is Protos.Medical.V1.FitnessOutcome.FitWithConditions or Protos.Medical.V1.FitnessOutcome.Unfit);
        var assessedAt = errors.PastTimestamp("assessed_at", request.AssessedAt, now, required: true);
        var validUntil = errors.Instant("valid_until", request.ValidUntil);
        if (request.ValidUntil is null)
        {
            errors.Add("valid_until", "is required");
        }
        else if (validUntil is { } until && assessedAt is { } from)
        {
            if (until <= from)
            {
                errors.Add("valid_until", "must be after assessed_at");
            }
            else if (until - from > FitnessAssessment.MaxValidity)
            {
                errors.Add("valid_until", $"must be at most {FitnessAssessment.MaxValidity.TotalDays} days after assessed_at (three GC III Art. 31 inspection intervals); assess again to extend");
            }
        }

        var assessedBy = errors.Text("assessed_by", request.AssessedBy, FitnessAssessment.AssessedByMaxLength, required: true);
        errors.ThrowIfAny();
        return new FitnessEntry(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, new FitnessStatement(
            (FitnessPurpose)(int)purpose!.Value, (FitnessOutcome)(int)outcome!.Value, conditions, reasons,
            assessedAt!.Value, StoredTime.ToMicroseconds(validUntil!.Value), assessedBy!));
    }

    public static FitnessQuestion Validate(GetFitnessRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var purpose = errors.Enum("purpose", request.Purpose, required: true);
        var at = errors.Instant("at", request.At);
        errors.ThrowIfAny();
        return new FitnessQuestion(caseId!.Value, (FitnessPurpose)(int)purpose!.Value, StoredTime.ToMicroseconds(at ?? now));
    }

    public static FitnessPageRequest Validate(ListFitnessAssessmentsRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var purpose = errors.Enum("purpose", request.Purpose, required: false);
        var page = errors.Page(request.PageSize, request.PageToken, $"fitness-assessments/{caseId}?purpose={(int)request.Purpose}");
        errors.ThrowIfAny();
        return new FitnessPageRequest(caseId!.Value, purpose is null ? null : (FitnessPurpose)(int)purpose.Value, page);
    }
}
