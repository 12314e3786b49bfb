using Registry.Custody.Domain;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;
using Facility = Registry.Custody.Domain.Facility;
using Interview = Registry.Custody.Domain.Interview;
using InterviewParticipant = Registry.Custody.Domain.InterviewParticipant;

namespace Registry.Custody.Features.Interviews;

/// <summary>A validated interview: the typed command <see cref="RecordInterviewHandler"/> takes.</summary>
public sealed record InterviewCommand(IdempotencyKey Key, Guid CaseId, InterviewStatement Statement);

/// <summary>Checks an interview request, naming every bad field at once (google.rpc.BadRequest).</summary>
public static class InterviewValidator
{
    public static InterviewCommand Validate(RecordInterviewRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var startedAt = errors.PastTimestamp("started_at", request.StartedAt, now, required: true);
        if (request.DurationMinutes is < 1 or > Interview.MaxDurationMinutes)
        {
            errors.Add("duration_minutes", $"must be between 1 and {Interview.MaxDurationMinutes} minutes (12 hours); record a longer questioning as several interviews");
        }

        var place = Records.FacilityInput.Read(errors, "place", request.Place, "at least its name");
        var agency = errors.Text("interviewing_agency", request.InterviewingAgency, CustodyRecord.AgencyMaxLength, required: true);
        var interviewer = errors.Text("interviewer", request.Interviewer, Interview.InterviewerMaxLength, required: true);
        string? language = null;
        if (string.IsNullOrWhiteSpace(request.Language))
        {
            errors.Add("language", "is required: the language the interview was held in, e.g. ko");
        }
        else
        {
            language = errors.LanguageTag("language", request.Language);
            if (language is { Length: > Interview.LanguageMaxLength })
            {
                errors.Add("language", $"must be at most {Interview.LanguageMaxLength} characters");
            }
        }

        var interpreter = request.Interpreter is null ? null : Participant(errors, "interpreter", request.Interpreter, requireFunction: false);
        if (request.Present.Count > Interview.MaxPresent)
        {
            errors.Add("present", $"must list at most {Interview.MaxPresent} persons");
        }

        var present = new List<InterviewParticipant>();
        for (var n = 0; n < Math.Min(request.Present.Count, Interview.MaxPresent); n++)
        {
            if (Participant(errors, $"present[{n}]", request.Present[n], requireFunction: true) is { } participant)
            {
                present.Add(participant);
            }
        }

        var overrideReason = errors.Text("override_reason", request.OverrideReason, Interview.OverrideReasonMaxLength, required: false);
        errors.ThrowIfAny();
        return new InterviewCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, new InterviewStatement(
            startedAt!.Value, request.DurationMinutes, place!, agency!, interviewer!, language!, interpreter, present, overrideReason));
    }

    /// <summary>A place (custody.proto's Facility): name required, locality optional, country an ISO 3166-1 code.</summary>
    private static InterviewParticipant? Participant(FieldViolations errors, string field, Protos.Custody.V1.InterviewParticipant value, bool requireFunction)
    {
        var name = errors.Text($"{field}.name", value.Name, InterviewParticipant.NameMaxLength, required: true);
        var agency = errors.Text($"{field}.agency", value.Agency, InterviewParticipant.AgencyMaxLength, required: true);
        var function = errors.Text($"{field}.function", value.Function, InterviewParticipant.FunctionMaxLength, required: requireFunction);
        return name is null || agency is null || (requireFunction && function is null) ? null : new InterviewParticipant(name, agency, function);
    }
}
