using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Condition = Registry.Medical.Domain.Condition;
using Encounter = Registry.Medical.Domain.Encounter;
using ConditionFinding = Registry.Medical.Domain.ConditionFinding;
using ConditionKind = Registry.Medical.Domain.ConditionKind;
using EncounterKind = Registry.Medical.Domain.EncounterKind;
using Severity = Registry.Medical.Domain.Severity;

namespace Registry.Medical.Features.Encounters;

/// <summary>A validated encounter: the typed command <see cref="RecordEncounterHandler"/> takes.</summary>
public sealed record EncounterEntry(
    IdempotencyKey Key, Guid CaseId, EncounterDetails Details, IReadOnlyList<ConditionFinding> Findings, IReadOnlyList<Guid> Resolve);

/// <summary>Checks an encounter request, naming every bad field at once.</summary>
public static class EncounterValidator
{
    /// <summary>At most this many findings, and as many resolved condition ids, per encounter.</summary>
    public const int MaxFindings = 20;

    /// <param name="fieldPrefix">Put before every field a violation names: "" for RecordEncounter, the person's path in a
    /// batch (e.g. <c>inspections[3].</c>) for RecordInspections.</param>
    public static EncounterEntry Validate(RecordEncounterRequest request, DateTimeOffset now, string fieldPrefix = "")
    {
        var errors = new FieldViolations();
        string F(string field) => fieldPrefix + field;
        var requestId = errors.RequestId(F("request_id"), request.RequestId);
        var caseId = errors.Uuid(F("case_id"), request.CaseId, required: true);
        var kind = errors.Enum(F("kind"), request.Kind, required: true);
        var occurredAt = errors.PastTimestamp(F("occurred_at"), request.OccurredAt, now, required: true);
        var place = errors.Text(F("place"), request.Place, Encounter.PlaceMaxLength, required: true);
        var clinician = errors.Text(F("clinician"), request.Clinician, Encounter.ClinicianMaxLength, required: true);
        var notes = errors.Text(F("notes"), request.Notes, Encounter.NotesMaxLength, required: false);

        if (request.Findings.Count > MaxFindings)
        {
            errors.Add(F("findings"), $"must hold at most {MaxFindings} findings");
        }

        var findings = new List<ConditionFinding>();
        for (var i = 0; i < Math.Min(request.Findings.Count, MaxFindings); i++)
        {
            var f = request.Findings[i];
            var path = $"findings[{i}]";
            var findingKind = errors.Enum(F($"{path}.kind"), f.Kind, required: true);
            var description = errors.Text(F($"{path}.description"), f.Description, Condition.DescriptionMaxLength, required: true);
            var bodySite = errors.Text(F($"{path}.body_site"), f.BodySite, Condition.BodySiteMaxLength, required: false);
            var cause = errors.Text(F($"{path}.cause"), f.Cause, Condition.CauseMaxLength, required: false);
            var severity = errors.Enum(F($"{path}.severity"), f.Severity, required: false);
            if (findingKind is not null && description is not null)
            {
                findings.Add(new ConditionFinding((ConditionKind)(int)findingKind.Value, description, bodySite, cause,
                    severity is null ? null : (Severity)(int)severity.Value));
            }
        }

        var resolve = new List<Guid>();
        for (var i = 0; i < request.ResolvedConditionIds.Count; i++)
        {
            if (errors.Uuid(F($"resolved_condition_ids[{i}]"), request.ResolvedConditionIds[i], required: true) is { } id)
            {
                if (resolve.Contains(id))
                {
                    errors.Add(F($"resolved_condition_ids[{i}]"), "names a condition already listed");
                }
                else
                {
                    resolve.Add(id);
                }
            }
        }

        if (request.ResolvedConditionIds.Count > MaxFindings)
        {
            errors.Add(F("resolved_condition_ids"), $"must hold at most {MaxFindings} ids");
        }

        errors.ThrowIfAny();
        return new EncounterEntry(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value,
            new EncounterDetails((EncounterKind)(int)kind!.Value, occurredAt!.Value, place!, clinician!, notes), findings, resolve);
    }
}
