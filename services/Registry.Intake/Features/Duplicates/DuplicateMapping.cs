using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using DuplicateCandidate = Registry.Intake.Domain.DuplicateCandidate;

namespace Registry.Intake.Features.Duplicates;

public static class DuplicateMapping
{
    public static Protos.Intake.V1.DuplicateCandidate ToProto(this DuplicateCandidate d)
    {
        var proto = new Protos.Intake.V1.DuplicateCandidate
        {
            DuplicateCandidateId = d.CandidateId.ToString(),
            CaseId = d.CaseId.ToString(),
            CaseNumber = CaptureCase.FormatCaseNumber(d.CaseNumber),
            OtherCaseId = d.OtherCaseId.ToString(),
            OtherCaseNumber = CaptureCase.FormatCaseNumber(d.OtherCaseNumber),
            Score = d.Score,
            Status = (Protos.Intake.V1.DuplicateStatus)(int)d.Status,
            FoundAt = Timestamp.FromDateTimeOffset(d.FoundAt),
            ResolutionNote = d.ResolutionNote ?? "",
            DecidedByAgency = d.DecidedByAgency ?? "",
            DecidedByClient = d.DecidedByClient ?? "",
            ResolvedAt = d.ResolvedAt is { } resolved ? Timestamp.FromDateTimeOffset(resolved) : null,
        };
        proto.Reasons.AddRange(d.Reasons.Split("; ", StringSplitOptions.RemoveEmptyEntries));
        proto.MatchWeight = d.MatchWeight;
        proto.Comparisons.AddRange(d.ReadComparisons().Select(c => new FieldComparison
        {
            Field = c.Field, Level = (ComparisonLevel)(int)c.Level, Outcome = c.Outcome, Weight = c.Weight,
        }));
        return proto;
    }

    public static ListDuplicateCandidatesResponse ToProto(this Page<DuplicateCandidate> page)
    {
        var response = new ListDuplicateCandidatesResponse { NextPageToken = page.NextPageToken };
        response.DuplicateCandidates.AddRange(page.Items.Select(d => d.ToProto()));
        return response;
    }

    public static MergeCasesResponse ToProto(this MergedCases m) => new() { Survivor = m.Survivor.ToProto(), Merged = m.Merged.ToProto() };

    public static Protos.Intake.V1.DuplicateDecision ToProto(this Domain.DuplicateDecision d) => new()
    {
        DuplicateDecisionId = d.DecisionId.ToString(),
        DuplicateCandidateId = d.CandidateId.ToString(),
        CaseId = d.CaseId.ToString(),
        CaseNumber = CaptureCase.FormatCaseNumber(d.CaseNumber),
        OtherCaseId = d.OtherCaseId.ToString(),
        OtherCaseNumber = CaptureCase.FormatCaseNumber(d.OtherCaseNumber),
        Status = (Protos.Intake.V1.DuplicateStatus)(int)d.Status,
        Note = d.Note,
        DecidedByAgency = d.DecidedByAgency,
        DecidedByClient = d.DecidedByClient,
        DecidedAt = Timestamp.FromDateTimeOffset(d.DecidedAt),
    };

    public static ListDuplicateDecisionsResponse ToProto(this Page<Domain.DuplicateDecision> page)
    {
        var response = new ListDuplicateDecisionsResponse { NextPageToken = page.NextPageToken };
        response.DuplicateDecisions.AddRange(page.Items.Select(d => d.ToProto()));
        return response;
    }
}
