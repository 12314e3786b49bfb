using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;
using Registry.Intake.Features.Cases;

namespace Registry.Intake.Features.Identity;

/// <summary>A validated UpdateIdentity request.</summary>
public sealed record IdentityUpdate(Guid CaseId, IReadOnlyDictionary<string, string?> Facts, Domain.AssertionSource Source, long Revision);

/// <summary>Checks an UpdateIdentity request, naming every bad field.</summary>
public static class UpdateIdentityValidator
{
    public static IdentityUpdate Validate(UpdateIdentityRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var revision = errors.Revision(request.Revision);
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
}
