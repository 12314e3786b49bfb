using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;

namespace Registry.Intake.Features.Duplicates;

/// <summary>Duplicate detection: the same person registered twice, e.g. by two agencies (docs/linkage.md).</summary>
public sealed class DuplicateFinder(IntakeDbContext db)
{
    /// <summary>A registration or correction names at most this many candidates, the most likely first.</summary>
    public const int MaxCandidates = 50;

    /// <summary>
    /// Open cases that may be the same person as <paramref name="newCase"/>, most likely first: the cases the
    /// blocking rules let through (<see cref="DuplicateQuery.BlockedWith"/>), scored field by field
    /// (<see cref="LinkageModel"/>) with the registry's name frequencies (<see cref="DuplicateQuery.FrequenciesAsync"/>);
    /// those whose match weight reaches <see cref="LinkageModel.Threshold"/> are candidates.
    /// </summary>
    public async Task<List<DuplicateCandidate>> FindAsync(CaptureCase newCase, DateTimeOffset now, CancellationToken ct,
        IReadOnlySet<Guid>? alreadyPaired = null)
    {
        var record = LinkageRecord.Of(newCase.Number, newCase.Identity, newCase.CapturePlace, newCase.CapturedAt);
        var query = BlockingQuery.For(record);
        if (db.Cases.AsNoTracking().BlockedWith(query, newCase.Number) is not { } blocked)
        {
            return [];
        }

        var earlier = (await blocked.ToListAsync(ct)).DistinctBy(e => e.Number).Where(e => alreadyPaired?.Contains(e.CaseId) != true).ToList();
        if (earlier.Count == 0)
        {
            return [];
        }

        var frequencies = await db.Cases.AsNoTracking().FrequenciesAsync(record, ct);
        return earlier
            .Select(e => (e, score: LinkageModel.Score(record, e.ToLinkage(), frequencies)))
            .Where(x => x.score.IsCandidate)
            .OrderByDescending(x => x.score.MatchWeight)
            .ThenByDescending(x => x.e.Number)
            .Take(MaxCandidates)
            .Select(x => DuplicateCandidate.Found(newCase.CaseId, newCase.Number, x.e.CaseId, x.e.Number, x.score, now))
            .ToList();
    }

    /// <summary>
    /// After an identity correction: earlier or later cases the case now resembles that were never paired
    /// with it. A pair on file in any state (open, merged, not a duplicate) is not raised again, so a
    /// coordinator's decision stands.
    /// </summary>
    public async Task<List<DuplicateCandidate>> FindNewAsync(CaptureCase changed, DateTimeOffset now, CancellationToken ct)
    {
        var paired = (await db.DuplicateCandidates.AsNoTracking()
            .Where(d => d.CaseId == changed.CaseId || d.OtherCaseId == changed.CaseId)
            .Select(d => d.CaseId == changed.CaseId ? d.OtherCaseId : d.CaseId)
            .ToListAsync(ct)).ToHashSet();
        var found = await FindAsync(changed, now, ct, paired);
        return found.Select(d => d.LaterFirst()).ToList();
    }
}
