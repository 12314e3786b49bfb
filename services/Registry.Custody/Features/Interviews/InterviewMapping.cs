using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;

namespace Registry.Custody.Features.Interviews;

/// <summary>From an interview to the contract (custody.proto's Interview: nothing of what was said exists to map).</summary>
public static class InterviewMapping
{
    public static Protos.Custody.V1.Interview ToProto(this Interview i)
    {
        var proto = new Protos.Custody.V1.Interview
        {
            InterviewId = i.InterviewId.ToString(),
            CaseId = i.CaseId.ToString(),
            StartedAt = Timestamp.FromDateTimeOffset(i.StartedAt),
            DurationMinutes = i.DurationMinutes,
            Place = i.Place.ToProto(),
            InterviewingAgency = i.InterviewingAgency,
            Interviewer = i.Interviewer,
            Language = i.Language,
            Interpreter = i.Interpreter?.ToProto(),
            Fitness = i.Fitness,
            FitnessAssessmentId = i.FitnessAssessmentId ?? "",
            OverrideReason = i.OverrideReason ?? "",
            RecordedAt = Timestamp.FromDateTimeOffset(i.RecordedAt),
            RecordedByAgency = i.RecordedByAgency,
        };
        proto.Present.AddRange(i.Present.Select(p => p.ToProto()));
        return proto;
    }

    public static Protos.Custody.V1.InterviewParticipant ToProto(this InterviewParticipant p) =>
        new() { Name = p.Name, Agency = p.Agency, Function = p.Function ?? "" };
}
