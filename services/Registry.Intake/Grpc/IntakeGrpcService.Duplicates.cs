using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using DuplicateCandidate = Registry.Intake.Domain.DuplicateCandidate;
using DuplicateStatus = Registry.Intake.Domain.DuplicateStatus;

namespace Registry.Intake.Grpc;

/// <summary>Duplicate detection and merging: the same person registered twice, e.g. by two agencies.</summary>
public sealed partial class IntakeGrpcService
{
    /// <summary>A registration or correction names at most this many candidates, the most similar first.</summary>
    private const int MaxDuplicateCandidates = 50;

    /// <summary>
    /// Earlier open cases that may be the same person as <paramref name="newCase"/>, best first. Every
    /// open case with the same service number, or with the same nationality and birth year, is compared
    /// (<see cref="DuplicateScoring"/>); only their keys are read (<see cref="DuplicateQuery"/>).
    /// </summary>
    private async Task<List<DuplicateCandidate>> FindDuplicatesAsync(CaptureCase newCase, DateTimeOffset now, CancellationToken ct,
        IReadOnlySet<Guid>? alreadyPaired = null)
    {
        if (_db.Cases.AsNoTracking().ComparableTo(newCase) is not { } comparable)
        {
            return [];
        }

        var keys = newCase.DuplicateKeys;
        var earlier = (await comparable.ToListAsync(ct)).DistinctBy(e => e.Number).ToList();

        // Cases stored before the name keys existed have none: their names are read and normalised here.
        var unkeyed = earlier.Where(e => e.NameKey is null || e.LatinNameKey is null).Select(e => e.Number).ToList();
        var legacy = unkeyed.Count == 0
            ? []
            : await _db.Cases.AsNoTracking().Where(c => unkeyed.Contains(c.Number)).ToDictionaryAsync(c => c.Number, c => c.DuplicateKeys, ct);

        return earlier
            .Select(e => (e, match: DuplicateScoring.Match(keys, legacy.GetValueOrDefault(e.Number)
                ?? new DuplicateKeys(e.ServiceNumberKey, e.BirthYear, e.Nationality, e.NameKey!, e.LatinNameKey!))))
            .Where(x => x.match is not null && alreadyPaired?.Contains(x.e.CaseId) != true)
            .OrderByDescending(x => x.match!.Score)
            .ThenByDescending(x => x.e.Number)
            .Take(MaxDuplicateCandidates)
            .Select(x => new DuplicateCandidate
            {
                CandidateId = Guid.CreateVersion7(now),
                CaseId = newCase.CaseId,
                CaseNumber = newCase.Number,
                OtherCaseId = x.e.CaseId,
                OtherCaseNumber = x.e.Number,
                Score = x.match!.Score,
                Reasons = string.Join("; ", x.match.Reasons),
                FoundAt = now,
            })
            .ToList();
    }

    /// <summary>
    /// After an identity correction: earlier or later cases the case now resembles that were never paired
    /// with it. A pair on file in any state (open, merged, not a duplicate) is not raised again, so a
    /// coordinator's decision stands.
    /// </summary>
    private async Task<List<DuplicateCandidate>> FindNewDuplicatesAsync(CaptureCase changed, DateTimeOffset now, CancellationToken ct)
    {
        var paired = (await _db.DuplicateCandidates.AsNoTracking()
            .Where(d => d.CaseId == changed.CaseId || d.OtherCaseId == changed.CaseId)
            .Select(d => d.CaseId == changed.CaseId ? d.OtherCaseId : d.CaseId)
            .ToListAsync(ct)).ToHashSet();
        var found = await FindDuplicatesAsync(changed, now, ct, paired);
        return found.Select(d => d.OtherCaseNumber < d.CaseNumber ? d : Swapped(d)).ToList();
    }

    /// <summary>The same pair with the later case first, as candidates are kept.</summary>
    private static DuplicateCandidate Swapped(DuplicateCandidate d) => new()
    {
        CandidateId = d.CandidateId,
        CaseId = d.OtherCaseId,
        CaseNumber = d.OtherCaseNumber,
        OtherCaseId = d.CaseId,
        OtherCaseNumber = d.CaseNumber,
        Score = d.Score,
        Reasons = d.Reasons,
        FoundAt = d.FoundAt,
    };

    public override async Task<ListDuplicateCandidatesResponse> ListDuplicateCandidates(ListDuplicateCandidatesRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: false);
        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"duplicates/{request.CaseId}";
        var after = errors.PageToken("page_token", request.PageToken, query) ?? 0;
        errors.ThrowIfAny();

        var open = _db.DuplicateCandidates.AsNoTracking().Where(d => d.Status == DuplicateStatus.Open && d.Id > after);
        if (caseId is { } id)
        {
            open = open.Where(d => d.CaseId == id || d.OtherCaseId == id);
        }

        var page = await open.OrderBy(d => d.Id).Take(pageSize).ToListAsync(context.CancellationToken);
        var response = new ListDuplicateCandidatesResponse { NextPageToken = PageTokens.Next(page, pageSize, d => d.Id, query) };
        response.DuplicateCandidates.AddRange(page.Select(d => d.ToProto()));
        return response;
    }

    public override async Task<MergeCasesResponse> MergeCases(MergeCasesRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
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

        var reason = errors.Text("reason", request.Reason, 1000, required: true);
        errors.ThrowIfAny();

        var survivor = await FindCaseToChangeAsync(survivorId!.Value, request.SurvivorRevision, ct);
        var merged = await FindCaseToChangeAsync(mergedId!.Value, request.MergedRevision, ct);
        merged.MergeInto(survivor, now);
        var candidates = await _db.DuplicateCandidates
            .Where(d => d.Status == DuplicateStatus.Open
                && ((d.CaseId == merged.CaseId && d.OtherCaseId == survivor.CaseId) || (d.CaseId == survivor.CaseId && d.OtherCaseId == merged.CaseId)))
            .ToListAsync(ct);
        foreach (var candidate in candidates)
        {
            candidate.Resolve(DuplicateStatus.Merged, reason!, now);
        }

        foreach (var card in await _db.CaptureCards.Where(c => c.CaseId == merged.CaseId && c.IssuedAt == null && c.WithdrawnAt == null).ToListAsync(ct))
        {
            card.Withdraw(now);
        }

        _db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.Merged(survivor, merged, reason!, now), now));
        Raise(survivor, Domain.NotificationKind.CasesMerged,
            $"Case {merged.CaseNumber} is the same person as {survivor.CaseNumber} and was merged into it: {reason}", now);
        await SaveChangeAsync(merged, request.MergedRevision, ct);
        _logger.LogInformation("Merged case {Merged} into {Survivor}", merged.CaseNumber, survivor.CaseNumber);
        return new MergeCasesResponse { Survivor = survivor.ToProto(), Merged = merged.ToProto() };
    }

    public override async Task<MarkNotDuplicateResponse> MarkNotDuplicate(MarkNotDuplicateRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var otherId = errors.Uuid("other_case_id", request.OtherCaseId, required: true);
        if (caseId is not null && caseId == otherId)
        {
            errors.Add("other_case_id", "must differ from case_id");
        }

        var reason = errors.Text("reason", request.Reason, 1000, required: true);
        errors.ThrowIfAny();

        var a = await FindCaseAsync(caseId!.Value, tracked: false, ct);
        var b = await FindCaseAsync(otherId!.Value, tracked: false, ct);
        var (later, earlier) = a.Number > b.Number ? (a, b) : (b, a);
        var candidate = await _db.DuplicateCandidates.SingleOrDefaultAsync(d => d.CaseId == later.CaseId && d.OtherCaseId == earlier.CaseId, ct);
        if (candidate is null)
        {
            // Recorded even without a candidate, so the decision is on file.
            candidate = new DuplicateCandidate
            {
                CandidateId = Guid.CreateVersion7(now),
                CaseId = later.CaseId,
                CaseNumber = later.Number,
                OtherCaseId = earlier.CaseId,
                OtherCaseNumber = earlier.Number,
                Reasons = "marked by a coordinator",
                FoundAt = now,
            };
            _db.DuplicateCandidates.Add(candidate);
        }
        else if (candidate.Status == DuplicateStatus.Merged)
        {
            throw RpcErrors.FailedPrecondition("CASE_MERGED", "registry.intake.v1.DuplicateCandidate", $"duplicateCandidates/{candidate.CandidateId}",
                $"Cases {CaptureCase.FormatCaseNumber(candidate.CaseNumber)} and {CaptureCase.FormatCaseNumber(candidate.OtherCaseNumber)} were merged as one person.");
        }

        candidate.Resolve(DuplicateStatus.NotDuplicate, reason!, now);
        await _db.SaveChangesAsync(ct);
        return new MarkNotDuplicateResponse { DuplicateCandidate = candidate.ToProto() };
    }
}

internal static class DuplicateMapping
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
        };
        proto.Reasons.AddRange(d.Reasons.Split("; ", StringSplitOptions.RemoveEmptyEntries));
        return proto;
    }
}
