using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using StatusCategory = Registry.Intake.Domain.StatusCategory;

namespace Registry.Intake.Grpc;

/// <summary>A validated UpdateIdentity request.</summary>
public sealed record IdentityUpdate(Guid CaseId, IReadOnlyDictionary<string, string?> Facts, Domain.AssertionSource Source, long Revision);

/// <summary>A validated ChangeStatusCategory request.</summary>
public sealed record StatusDecision(Guid CaseId, StatusCategory To, string DecisionReference, string DecidedBy, DateTimeOffset DecidedAt, long Revision);

/// <summary>Checks requests that change an existing case, naming every bad field.</summary>
public static class CaseChangeValidator
{
    public static IdentityUpdate Validate(UpdateIdentityRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var revision = Revision(errors, request.Revision);
        var paths = request.UpdateMask?.Paths.ToList() ?? [];
        if (paths.Count == 0)
        {
            errors.Add("update_mask", "is required: name the identity fields to assert, e.g. family_name_latin");
        }

        foreach (var path in paths.Where(p => !IdentityReader.IsField(p)).Distinct())
        {
            errors.Add("update_mask", $"'{path}' is not an Identity field");
        }

        var named = paths.Where(IdentityReader.IsField).Distinct().ToList();
        Dictionary<string, string?> facts = [];
        if (request.Identity is null)
        {
            if (named.Count > 0)
            {
                errors.Add("identity", "is required");
            }
        }
        else
        {
            facts = IdentityReader.ReadNamed(request.Identity, named, errors, "identity", now);
        }

        var source = SourceReader.Read(request.Source, errors, "source", required: true);
        errors.ThrowIfAny();
        return new IdentityUpdate(caseId!.Value, facts, source, revision);
    }

    public static StatusDecision Validate(ChangeStatusCategoryRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var revision = Revision(errors, request.Revision);
        var to = errors.Enum("status_category", request.StatusCategory, required: true);
        var reference = errors.Text("decision_reference", request.DecisionReference, 200, required: true);
        var decidedBy = errors.Text("decided_by", request.DecidedBy, 200, required: true);
        var decidedAt = errors.PastTimestamp("decided_at", request.DecidedAt, now, required: true, fromUnixEpoch: true);

        errors.ThrowIfAny();
        return new StatusDecision(caseId!.Value, (StatusCategory)(int)to!.Value, reference!, decidedBy!, decidedAt!.Value, revision);
    }

    private static long Revision(FieldViolations errors, long revision)
    {
        if (revision < 1)
        {
            errors.Add("revision", "is required: the case revision you read");
        }

        return revision;
    }
}
