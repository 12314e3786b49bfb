using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using DuplicateCandidate = Registry.Intake.Domain.DuplicateCandidate;

namespace Registry.Intake.Features.Duplicates;

/// <summary>A validated ListDuplicateCandidates request: optionally one case's candidates.</summary>
public sealed record DuplicateCandidatesQuery(Guid? CaseId, PageRequest Page);

/// <summary>A validated MergeCases request.</summary>
public sealed record CaseMerge(Guid SurvivorId, long SurvivorRevision, Guid MergedId, long MergedRevision, string Reason);

/// <summary>A validated MarkNotDuplicate request.</summary>
public sealed record NotDuplicateDecision(Guid CaseId, Guid OtherCaseId, string Reason);

/// <summary>A validated ReopenDuplicateDecision request.</summary>
public sealed record DecisionReopening(IdempotencyKey Key, Guid CaseId, Guid OtherCaseId, string Reason);

/// <summary>A validated ListDuplicateDecisions request: optionally one case's decisions, or those that set one status.</summary>
public sealed record DuplicateDecisionsQuery(Guid? CaseId, Registry.Intake.Domain.DuplicateStatus? Status, PageRequest Page);

/// <summary>Checks duplicate-handling requests, naming every bad field.</summary>
public static class DuplicateValidator
{
    public static DuplicateCandidatesQuery Validate(ListDuplicateCandidatesRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: false);
        var page = errors.Page(request.PageSize, request.PageToken, $"duplicates/{request.CaseId}");
        errors.ThrowIfAny();
        return new DuplicateCandidatesQuery(caseId, page);
    }

    public static CaseMerge Validate(MergeCasesRequest request)
    {
        var errors = new FieldViolations();
        var survivorId = errors.Uuid("survivor_case_id", request.SurvivorCaseId, required: true);
        var mergedId = errors.Uuid("merged_case_id", request.MergedCaseId, required: true);
        if (request.SurvivorRevision < 1)
        {
            errors.Add("survivor_revision", "is required: the survivor's revision you read");
        }

        if (request.MergedRevision < 1)
        {
            errors.Add("merged_revision", "is required: the merged case's revision you read");
        }

        if (survivorId is not null && survivorId == mergedId)
        {
            errors.Add("merged_case_id", "must differ from survivor_case_id");
        }

        var reason = errors.Text("reason", request.Reason, DuplicateCandidate.ResolutionNoteMaxLength, required: true);
        errors.ThrowIfAny();
        return new CaseMerge(survivorId!.Value, request.SurvivorRevision, mergedId!.Value, request.MergedRevision, reason!);
    }

    public static NotDuplicateDecision Validate(MarkNotDuplicateRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var otherId = errors.Uuid("other_case_id", request.OtherCaseId, required: true);
        if (caseId is not null && caseId == otherId)
        {
            errors.Add("other_case_id", "must differ from case_id");
        }

        var reason = errors.Text("reason", request.Reason, DuplicateCandidate.ResolutionNoteMaxLength, required: true);
        errors.ThrowIfAny();
        return new NotDuplicateDecision(caseId!.Value, otherId!.Value, reason!);
    }

    public static DecisionReopening Validate(ReopenDuplicateDecisionRequest request)
    {
        var errors = new FieldViolations();
        var requestId = errors.Uuid("request_id", request.RequestId, required: true);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var otherId = errors.Uuid("other_case_id", request.OtherCaseId, required: true);
        if (caseId is not null && caseId == otherId)
        {
            errors.Add("other_case_id", "must differ from case_id");
        }

        var reason = errors.Text("reason", request.Reason, DuplicateCandidate.ResolutionNoteMaxLength, required: true);
        errors.ThrowIfAny();
        return new DecisionReopening(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, otherId!.Value, reason!);
    }

    public static DuplicateDecisionsQuery Validate(ListDuplicateDecisionsRequest request)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: false);
        Registry.Intake.Domain.DuplicateStatus? status = request.Status switch
        {
            Protos.Intake.V1.DuplicateStatus.Unspecified => null,
            Protos.Intake.V1.DuplicateStatus.Open or Protos.Intake.V1.DuplicateStatus.Merged or Protos.Intake.V1.DuplicateStatus.NotDuplicate
                => (Registry.Intake.Domain.DuplicateStatus)(int)request.Status,
            _ => null,
        };
        if (request.Status != Protos.Intake.V1.DuplicateStatus.Unspecified && status is null)
        {
            errors.Add("status", "is not a duplicate status");
        }

        var page = errors.Page(request.PageSize, request.PageToken, $"duplicate-decisions/{request.CaseId}/{(int)request.Status}");
        errors.ThrowIfAny();
        return new DuplicateDecisionsQuery(caseId, status, page);
    }
}
