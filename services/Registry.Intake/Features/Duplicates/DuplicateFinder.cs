using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Features.Duplicates;

/// <summary>Duplicate detection: the same person registered twice, e.g. by two agencies.</summary>
public sealed class DuplicateFinder(IntakeDbContext db)
{
    /// <summary>A registration or correction names at most this many candidates, the most similar first.</summary>
    public const int MaxCandidates = 50;

    /// <summary>
    /// Earlier open cases that may be the same person as <paramref name="newCase"/>, best first. Every
    /// open case with the same service number, or with the same nationality and birth year, is compared
    /// (<see cref="DuplicateScoring"/>); only their keys are read (<see cref="DuplicateQuery"/>).
    /// </summary>
    public async Task<List<DuplicateCandidate>> FindAsync(CaptureCase newCase, DateTimeOffset now, CancellationToken ct,
        IReadOnlySet<Guid>? alreadyPaired = null)
    {
        if (db.Cases.AsNoTracking().ComparableTo(newCase) is not { } comparable)
        {
            return [];
        }

        var keys = newCase.DuplicateKeys;
        var earlier = (await comparable.ToListAsync(ct)).DistinctBy(e => e.Number).ToList();

        // Cases stored before the name keys existed, or keyed under older rules and not yet rebuilt
        // (NameKeyRebuild), are compared by keys computed here from their names.
        var unkeyed = earlier.Where(e => e.NameKey is null || e.LatinNameKey is null || e.NameKeyVersion != NameKeys.Version)
            .Select(e => e.Number).ToList();
        var legacy = unkeyed.Count == 0
            ? []
            : await db.Cases.AsNoTracking().Where(c => unkeyed.Contains(c.Number)).ToDictionaryAsync(c => c.Number, c => c.DuplicateKeys, ct);

        return earlier
            .Select(e => (e, match: DuplicateScoring.Match(keys, legacy.GetValueOrDefault(e.Number)
                ?? new DuplicateKeys(e.ServiceNumberKey, e.BirthYear, e.Nationality, e.NameKey!, e.LatinNameKey!))))
            .Where(x => x.match is not null && alreadyPaired?.Contains(x.e.CaseId) != true)
            .OrderByDescending(x => x.match!.Score)
            .ThenByDescending(x => x.e.Number)
            .Take(MaxCandidates)
            .Select(x => DuplicateCandidate.Found(newCase.CaseId, newCase.Number, x.e.CaseId, x.e.Number, x.match!.Score, string.Join("; ", x.match.Reasons), now))
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
