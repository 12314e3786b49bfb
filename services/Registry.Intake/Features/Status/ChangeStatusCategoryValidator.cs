using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;
using StatusCategory = Registry.Intake.Domain.StatusCategory;
using StatusChange = Registry.Intake.Domain.StatusChange;

namespace Registry.Intake.Features.Status;

/// <summary>A validated ChangeStatusCategory request.</summary>
public sealed record StatusDecision(Guid CaseId, StatusCategory To, string DecisionReference, string DecidedBy, DateTimeOffset DecidedAt, long Revision);

/// <summary>Checks a ChangeStatusCategory request (a decision under GC III Art. 5), naming every bad field.</summary>
public static class ChangeStatusCategoryValidator
{
    public static StatusDecision Validate(ChangeStatusCategoryRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var revision = errors.Revision(request.Revision);
        var to = errors.Enum("status_category", request.StatusCategory, required: true);
        var reference = errors.Text("decision_reference", request.DecisionReference, StatusChange.DecisionReferenceMaxLength, required: true);
        var decidedBy = errors.Text("decided_by", request.DecidedBy, StatusChange.DecidedByMaxLength, required: true);
        var decidedAt = errors.PastTimestamp("decided_at", request.DecidedAt, now, required: true);

        errors.ThrowIfAny();
        return new StatusDecision(caseId!.Value, (StatusCategory)(int)to!.Value, reference!, decidedBy!, decidedAt!.Value, revision);
    }
}
