using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;

namespace Registry.Intake.Features.Duplicates;

/// <summary>An earlier case as duplicate detection reads it: what record linkage compares (<see cref="LinkageRecord"/>), not the whole case.</summary>
public sealed class EarlierCase
{
    public long Number { get; init; }
    public Guid CaseId { get; init; }
    public string? FamilyName { get; init; }
    public string? GivenNames { get; init; }
    public string? FamilyNameLatin { get; init; }
    public string? GivenNamesLatin { get; init; }
    public int? BirthYear { get; init; }
    public int? BirthMonth { get; init; }
    public int? BirthDay { get; init; }
    public string? Nationality { get; init; }
    public string? ServiceNumber { get; init; }
    public string CapturePlace { get; init; } = "";
    public DateTimeOffset CapturedAt { get; init; }

    /// <summary>The case as record linkage compares it, by the same function as the new case (<see cref="LinkageRecord.Of"/>).</summary>
    public LinkageRecord ToLinkage() => LinkageRecord.Of(Number, new PersonIdentity
    {
        FamilyName = FamilyName, GivenNames = GivenNames, FamilyNameLatin = FamilyNameLatin, GivenNamesLatin = GivenNamesLatin,
        BirthYear = BirthYear, BirthMonth = BirthMonth, BirthDay = BirthDay, Nationality = Nationality, ServiceNumber = ServiceNumber,
    }, CapturePlace, CapturedAt);
}

public static class DuplicateQuery
{
    /// <summary>
    /// The open cases other than <paramref name="number"/> that the blocking rules let through
    /// (<see cref="BlockingQuery"/>, the same rules <see cref="BlockingIndex"/> applies in memory), in one
    /// statement (UNION ALL; a case let through by several rules comes several times). Each rule is an
    /// equality on an indexed key column and a range on the birth year next to it in the index
    /// (<see cref="BlockingColumns"/>): the cost is the size of the blocks, not of the registry. Null when
    /// the query has nothing to look up.
    /// </summary>
    public static IQueryable<EarlierCase>? BlockedWith(this IQueryable<CaptureCase> cases, BlockingQuery query, long number)
    {
        var open = cases.Where(e => e.Number != number && e.MergedIntoCaseId == null);
        var parts = new List<IQueryable<CaptureCase>>();
        if (query.ServiceNumber is { } serviceNumber)
        {
            parts.Add(open.Where(e => e.ServiceNumberKey == serviceNumber));
        }

        if (query.FullKeys.Count > 0)
        {
            var full = query.FullKeys.ToList();
            if (query.BirthYear is { } year)
            {
                var (from, to) = (year - 1, year + 1);
                parts.Add(open.Where(e => full.Contains(e.BlockingKeys.FullKey!)
                    && (e.BlockingKeys.BirthYear == null || (e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to))));
                parts.Add(open.Where(e => full.Contains(e.BlockingKeys.FullKeyLatin!) && e.BlockingKeys.FullKeyLatin != e.BlockingKeys.FullKey
                    && (e.BlockingKeys.BirthYear == null || (e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to))));
            }
            else
            {
                parts.Add(open.Where(e => full.Contains(e.BlockingKeys.FullKey!)));
                parts.Add(open.Where(e => full.Contains(e.BlockingKeys.FullKeyLatin!) && e.BlockingKeys.FullKeyLatin != e.BlockingKeys.FullKey));
            }
        }

        if (query.BirthYear is { } known)
        {
            var (from, to) = (known - 1, known + 1);
            if (query.FamilyBlocks.Count > 0)
            {
                var blocks = query.FamilyBlocks.ToList();
                parts.Add(open.Where(e => blocks.Contains(e.BlockingKeys.FamilyBlock!) && e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to));
            }

            if (query.GivenBlocks.Count > 0)
            {
                var blocks = query.GivenBlocks.ToList();
                parts.Add(open.Where(e => blocks.Contains(e.BlockingKeys.GivenBlock!) && e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to));
            }
        }

        return parts.Count == 0 ? null : parts.Select(Read).Aggregate((a, b) => a.Concat(b));
    }

    private static IQueryable<EarlierCase> Read(IQueryable<CaptureCase> cases) => cases.Select(e => new EarlierCase
    {
        Number = e.Number,
        CaseId = e.CaseId,
        FamilyName = e.Identity.FamilyName,
        GivenNames = e.Identity.GivenNames,
        FamilyNameLatin = e.Identity.FamilyNameLatin,
        GivenNamesLatin = e.Identity.GivenNamesLatin,
        BirthYear = e.Identity.BirthYear,
        BirthMonth = e.Identity.BirthMonth,
        BirthDay = e.Identity.BirthDay,
        Nationality = e.Identity.Nationality,
        ServiceNumber = e.Identity.ServiceNumber,
        CapturePlace = e.CapturePlace,
        CapturedAt = e.CapturedAt,
    });

    /// <summary>
    /// How common each of the record's name keys is (<see cref="NameFrequencies"/>): its count as a family and
    /// as a given-name key among the latest <see cref="LinkageModel.FrequencyWindow"/> cases (merged ones
    /// too: a statistic of names, not of persons), over the window's size. Two index ranges
    /// (<see cref="BlockingColumns"/>: key, case number), bounded by the window whatever the registry's size.
    /// </summary>
    public static async Task<NameFrequencies> FrequenciesAsync(this IQueryable<CaptureCase> all, LinkageRecord record, CancellationToken ct)
    {
        // The record's own case is not counted: it is compared with the others, as the benchmark compares a new record.
        var cases = all.Where(c => c.Number != record.Number);
        var keys = record.Names.Family.Concat(record.Names.Given).Distinct().ToList();
        if (keys.Count == 0)
        {
            return NameFrequencies.None;
        }

        var latest = await cases.MaxAsync(c => (long?)c.Number, ct) ?? 0;
        var floor = latest - LinkageModel.FrequencyWindow;
        var window = Math.Min(latest, LinkageModel.FrequencyWindow);
        var family = await cases.Where(c => c.Number > floor && keys.Contains(c.BlockingKeys.FamilyKey!))
            .GroupBy(c => c.BlockingKeys.FamilyKey!).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var given = await cases.Where(c => c.Number > floor && keys.Contains(c.BlockingKeys.GivenKey!))
            .GroupBy(c => c.BlockingKeys.GivenKey!).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return new NameFrequencies(
            keys.ToDictionary(k => k, k => NameFrequencies.Share(family.FirstOrDefault(f => f.Key == k)?.Count ?? 0, window)),
            keys.ToDictionary(k => k, k => NameFrequencies.Share(given.FirstOrDefault(f => f.Key == k)?.Count ?? 0, window)));
    }
}
