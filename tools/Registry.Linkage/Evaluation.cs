using System.Diagnostics;
using System.Globalization;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;

namespace Registry.Linkage;

/// <summary>The identity and capture of a synthetic record as the service holds them.</summary>
public static class Records
{
    public static PersonIdentity Identity(SyntheticRecord r) => new()
    {
        FamilyName = r.FamilyName,
        GivenNames = r.GivenNames,
        FamilyNameLatin = r.FamilyNameLatin,
        GivenNamesLatin = r.GivenNamesLatin,
        BirthYear = r.BirthYear,
        BirthMonth = r.BirthMonth,
        BirthDay = r.BirthDay,
        Nationality = r.Nationality,
        ServiceNumber = r.ServiceNumber,
    };

    public static LinkageRecord Linkage(SyntheticRecord r, long number) => LinkageRecord.Of(number, Identity(r), r.CapturePlace, r.CapturedAt);
}

/// <summary>
/// Duplicate detection over the labelled set, in memory, with the service's functions: the registry's
/// records indexed by their blocking keys (<see cref="BlockingIndex"/>), each later registration blocked
/// (<see cref="BlockingQuery"/>), scored (<see cref="LinkageModel"/>) with name frequencies counted over
/// the latest <see cref="LinkageModel.FrequencyWindow"/> cases, as the service counts them.
/// </summary>
public sealed class Evaluation
{
    private readonly EvaluationSet _set;
    private readonly List<LinkageRecord> _registry;
    private readonly Dictionary<int, LinkageRecord> _firstOfPerson = [];
    private readonly BlockingIndex _index = new();
    private readonly Dictionary<string, int> _familyCounts = [];
    private readonly Dictionary<string, int> _givenCounts = [];
    private readonly int _window;

    /// <summary>
    /// The registry's records numbered as the service numbers cases: <paramref name="numbers"/> (the cases'
    /// numbers, in the order of <see cref="EvaluationSet.Registry"/>), by default 1, 2, 3 ...
    /// </summary>
    public Evaluation(EvaluationSet set, IReadOnlyList<long>? numbers = null)
    {
        _set = set;
        _registry = set.Registry.Select((r, i) => Records.Linkage(r, numbers?[i] ?? i + 1)).ToList();
        for (var i = 0; i < _registry.Count; i++)
        {
            _index.Add(_registry[i]);
            _firstOfPerson[set.Registry[i].PersonId] = _registry[i];
        }

        // As the service counts a name: among the cases numbered above (latest number - window).
        var latest = _registry.Count == 0 ? 0 : _registry.Max(r => r.Number);
        _window = (int)Math.Min(latest, LinkageModel.FrequencyWindow);
        foreach (var r in _registry.Where(r => r.Number > latest - LinkageModel.FrequencyWindow))
        {
            Count(_familyCounts, r.Keys.FamilyKey);
            Count(_givenCounts, r.Keys.GivenKey);
        }
    }

    /// <summary>The in-memory blocking index of the registry.</summary>
    public BlockingIndex Index => _index;

    public IReadOnlyList<LinkageRecord> Registry => _registry;

    /// <summary>The frequencies the service looks up for a new record: each of its family and given keys.</summary>
    public NameFrequencies FrequenciesFor(LinkageRecord record)
    {
        // Every name key of the record, as a family name and as a given name (names may come swapped).
        var keys = record.Names.Family.Concat(record.Names.Given).Distinct().ToList();
        return new NameFrequencies(
            keys.ToDictionary(k => k, k => NameFrequencies.Share(_familyCounts.GetValueOrDefault(k), _window)),
            keys.ToDictionary(k => k, k => NameFrequencies.Share(_givenCounts.GetValueOrDefault(k), _window)));
    }

    /// <summary>One later registration: the pairs blocking let through (rules per pair) and their scores.</summary>
    public sealed record Probe(SyntheticRecord Record, LinkageRecord Linkage, LinkageRecord? Truth, List<(LinkageRecord Other, List<BlockingRule> Rules, LinkageScore Score)> Pairs)
    {
        public IEnumerable<(LinkageRecord Other, LinkageScore Score)> Candidates(double threshold) =>
            Pairs.Where(p => p.Score.MatchWeight >= threshold).OrderByDescending(p => p.Score.MatchWeight).ThenByDescending(p => p.Other.Number)
                .Take(50).Select(p => (p.Other, p.Score));
    }

    public Probe Run(SyntheticRecord record, long number)
    {
        var linkage = Records.Linkage(record, number);
        var frequencies = FrequenciesFor(linkage);
        var pairs = _index.Select(BlockingQuery.For(linkage), number)
            .Select(kv => (kv.Key, kv.Value, LinkageModel.Score(linkage, kv.Key, frequencies)))
            .ToList();
        return new Probe(record, linkage, record.Role == RecordRole.Second ? _firstOfPerson[record.PersonId] : null, pairs);
    }

    public List<Probe> RunAll()
    {
        var probes = _set.Seconds.Concat(_set.NewPersons).ToList();
        var results = new Probe[probes.Count];
        Parallel.For(0, probes.Count, i => results[i] = Run(probes[i], _registry.Count + 1 + i));
        return [.. results];
    }

    private static void Count(Dictionary<string, int> counts, string? key)
    {
        if (key is not null)
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }
}

/// <summary>The figures of one run, printed as Markdown tables (docs/linkage.md).</summary>
public static class Report
{
    public static void Print(TextWriter o, EvaluationSet set, Evaluation evaluation, List<Evaluation.Probe> probes, TimeSpan elapsed, double threshold,
        Func<SyntheticRecord, bool, bool>? search)
    {
        var n = set.Registry.Count;
        o.WriteLine(Invariant($"### {n:N0} registered persons; {set.Seconds.Count:N0} second records ({set.Seconds.Count / Enum.GetValues<Variation>().Length} per kind); {set.NewPersons.Count:N0} new persons"));
        o.WriteLine();
        o.WriteLine(Invariant($"Threshold {threshold:0.0} bits. Evaluated in {elapsed.TotalSeconds:0.0} s."));
        o.WriteLine();
        o.WriteLine("| variation | pairs | blocked in | recall | precision | F1 | name-search recall (PostgreSQL) | (embedded SQLite) |");
        o.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        int tpAll = 0, fpAll = 0, pairsAll = 0;
        foreach (var kind in Enum.GetValues<Variation>())
        {
            var group = probes.Where(p => p.Record.Variation == kind).ToList();
            var (tp, fp, blocked) = (0, 0, 0);
            foreach (var p in group)
            {
                blocked += p.Pairs.Any(x => ReferenceEquals(x.Other, p.Truth)) ? 1 : 0;
                foreach (var (other, _) in p.Candidates(threshold))
                {
                    if (ReferenceEquals(other, p.Truth)) tp++;
                    else fp++;
                }
            }

            tpAll += tp;
            fpAll += fp;
            pairsAll += group.Count;
            var recall = Ratio(tp, group.Count);
            var precision = Ratio(tp, tp + fp);
            var searchRecall = search is null ? " | " : Invariant($"{Ratio(group.Count(p => search(p.Record, true)), group.Count):0.000} | {Ratio(group.Count(p => search(p.Record, false)), group.Count):0.000}");
            o.WriteLine(Invariant($"| {kind} | {group.Count} | {Ratio(blocked, group.Count):0.000} | {recall:0.000} | {precision:0.000} | {F1(precision, recall):0.000} | {searchRecall} |"));
        }

        var newProbes = probes.Where(p => p.Record.Role == RecordRole.New).ToList();
        var newCandidates = newProbes.Sum(p => p.Candidates(threshold).Count());
        var allPrecision = Ratio(tpAll, tpAll + fpAll + newCandidates);
        var allRecall = Ratio(tpAll, pairsAll);
        o.WriteLine(Invariant($"| **all** | {pairsAll} | {Ratio(probes.Count(p => p.Truth is not null && p.Pairs.Any(x => ReferenceEquals(x.Other, p.Truth))), pairsAll):0.000} | **{allRecall:0.000}** | **{allPrecision:0.000}** | **{F1(allPrecision, allRecall):0.000}** | | |"));
        o.WriteLine();
        o.WriteLine(Invariant($"Candidates per registration of a new person: **{Ratio(newCandidates, newProbes.Count):0.0000}** ({newCandidates} over {newProbes.Count:N0}). Precision counts these false candidates too."));
        o.WriteLine();
        // Per language of the person (the first record's nationality: KP Korean, RU Russian, UA Ukrainian), so that a
        // gap of one language (Ukrainian г written "h") is not hidden by the others.
        o.WriteLine("Candidate recall per language of the person (all variations):");
        o.WriteLine();
        o.WriteLine("| language | pairs | blocked in | recall |");
        o.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (language, nationality) in new[] { ("Korean", "KP"), ("Russian", "RU"), ("Ukrainian", "UA") })
        {
            var group = probes.Where(p => p.Truth?.Nationality == nationality).ToList();
            var blocked = group.Count(p => p.Pairs.Any(x => ReferenceEquals(x.Other, p.Truth)));
            var found = group.Count(p => p.Candidates(threshold).Any(c => ReferenceEquals(c.Other, p.Truth)));
            o.WriteLine(Invariant($"| {language} | {group.Count} | {Ratio(blocked, group.Count):0.000} | {Ratio(found, group.Count):0.000} |"));
        }

        // The pairs Ukraine's passport spelling (г → "h") meets Cyrillic in: one record Cyrillic only with a г, the other Latin only.
        var firsts = set.Registry.GroupBy(r => r.PersonId).ToDictionary(g => g.Key, g => g.First());
        static bool CyrillicOnlyWithG(SyntheticRecord r) => r.FamilyNameLatin is null && r.GivenNamesLatin is null
            && $"{r.FamilyName}{r.GivenNames}".Contains('г', StringComparison.OrdinalIgnoreCase);
        static bool LatinOnly(SyntheticRecord r) => r.FamilyName is null && r.GivenNames is null;
        var hForG = probes.Where(p => p.Truth?.Nationality == "UA" && firsts.TryGetValue(p.Record.PersonId, out var first)
            && ((CyrillicOnlyWithG(first) && LatinOnly(p.Record)) || (LatinOnly(first) && CyrillicOnlyWithG(p.Record)))).ToList();
        o.WriteLine(Invariant($"| Ukrainian, г: Cyrillic only against Latin only | {hForG.Count} | {Ratio(hForG.Count(p => p.Pairs.Any(x => ReferenceEquals(x.Other, p.Truth))), hForG.Count):0.000} | {Ratio(hForG.Count(p => p.Candidates(threshold).Any(c => ReferenceEquals(c.Other, p.Truth))), hForG.Count):0.000} |"));

        o.WriteLine();
        o.WriteLine("Pairs each blocking rule lets through (per later registration; a pair may pass several rules):");
        o.WriteLine();
        o.WriteLine("| rule | pairs | per registration |");
        o.WriteLine("| --- | ---: | ---: |");
        foreach (var rule in Enum.GetValues<BlockingRule>())
        {
            var count = probes.Sum(p => p.Pairs.Count(x => x.Rules.Contains(rule)));
            o.WriteLine(Invariant($"| {rule} | {count:N0} | {Ratio(count, probes.Count):0.0} |"));
        }

        var total = probes.Sum(p => p.Pairs.Count);
        o.WriteLine(Invariant($"| any (scored) | {total:N0} | {Ratio(total, probes.Count):0.0} |"));
        o.WriteLine();
    }

    /// <summary>Some false candidates with their comparisons, to see what makes them (--explain).</summary>
    public static void Explain(TextWriter o, EvaluationSet set, List<Evaluation.Probe> probes, double threshold, int count)
    {
        var byNumber = set.Registry.Select((r, i) => (r, i)).ToDictionary(x => (long)(x.i + 1), x => x.r);
        foreach (var p in probes.Where(p => p.Candidates(threshold).Any(c => !ReferenceEquals(c.Other, p.Truth))).Take(count))
        {
            var (other, score) = p.Candidates(threshold).First(c => !ReferenceEquals(c.Other, p.Truth));
            o.WriteLine($"- {p.Record.Role} {p.Record.Variation}: {Generator.Format(p.Record)}");
            o.WriteLine($"  vs {Generator.Format(byNumber[other.Number])} {byNumber[other.Number].CapturedAt:yyyy-MM-dd} {byNumber[other.Number].CapturePlace} / {p.Record.CapturedAt:yyyy-MM-dd} {p.Record.CapturePlace}");
            o.WriteLine($"  {score.MatchWeight}: {string.Join("; ", score.Comparisons)}");
        }

        o.WriteLine();
    }

    /// <summary>Recall and precision over all later registrations at each threshold, to choose one.</summary>
    public static void Sweep(TextWriter o, List<Evaluation.Probe> probes)
    {
        o.WriteLine("| threshold | recall | precision | F1 | per new person |");
        o.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        var seconds = probes.Count(p => p.Truth is not null);
        var news = probes.Count(p => p.Truth is null);
        for (var t = 0.0; t <= 24; t += 2)
        {
            int tp = 0, fp = 0, fresh = 0;
            foreach (var p in probes)
            {
                foreach (var (other, _) in p.Candidates(t))
                {
                    if (ReferenceEquals(other, p.Truth)) tp++;
                    else if (p.Truth is null) fresh++;
                    else fp++;
                }
            }

            var (recall, precision) = (Ratio(tp, seconds), Ratio(tp, tp + fp + fresh));
            o.WriteLine(Invariant($"| {t:0} | {recall:0.000} | {precision:0.000} | {F1(precision, recall):0.000} | {Ratio(fresh, news):0.000} |"));
        }

        o.WriteLine();
    }

    /// <summary>
    /// m and u of every outcome, as measured: m over the labelled true pairs, u over random pairs of
    /// different persons of the registry; the name agreements' m (their u is the name's frequency).
    /// </summary>
    public static void Estimate(TextWriter o, Evaluation evaluation, List<Evaluation.Probe> probes, int seed)
    {
        var matches = probes.Where(p => p.Truth is not null)
            .SelectMany(p => LinkageModel.Score(p.Linkage, p.Truth!, NameFrequencies.None).Comparisons).ToList();
        var random = new Random(seed);
        var registry = evaluation.Registry;
        var nonMatches = Enumerable.Range(0, 200_000)
            .Select(_ => (registry[random.Next(registry.Count)], registry[random.Next(registry.Count)]))
            .Where(p => !ReferenceEquals(p.Item1, p.Item2))
            .SelectMany(p => LinkageModel.Score(p.Item1, p.Item2, NameFrequencies.None).Comparisons).ToList();
        var blocked = probes.Where(p => p.Truth is not null).Sum(p => p.Pairs.Count) + probes.Where(p => p.Truth is null).Sum(p => p.Pairs.Count);
        var trueBlocked = probes.Count(p => p.Truth is not null && p.Pairs.Any(x => ReferenceEquals(x.Other, p.Truth)));
        o.WriteLine("| field | outcome | m | u | log2(m/u) |");
        o.WriteLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var group in matches.Concat(nonMatches).Where(c => c.Level != ComparisonLevel.Unknown).GroupBy(c => (c.Field, c.Outcome)).OrderBy(g => g.Key.Field).ThenBy(g => g.Key.Outcome))
        {
            var (field, outcome) = group.Key;
            var mCount = matches.Count(c => c.Field == field && c.Outcome == outcome);
            var mKnown = matches.Count(c => c.Field == field && c.Level != ComparisonLevel.Unknown);
            var uCount = nonMatches.Count(c => c.Field == field && c.Outcome == outcome);
            var uKnown = nonMatches.Count(c => c.Field == field && c.Level != ComparisonLevel.Unknown);
            var (m, u) = (Ratio(mCount, mKnown), Ratio(uCount, uKnown));
            o.WriteLine(Invariant($"| {field} | {outcome} | {m:0.00000} | {u:0.00000} | {(m > 0 && u > 0 ? Math.Log2(m / u) : double.NaN):0.00} |"));
        }

        o.WriteLine();
        o.WriteLine(Invariant($"Prior: {trueBlocked} true pairs among {blocked:N0} blocked pairs: log2 odds {Math.Log2(trueBlocked / (double)Math.Max(1, blocked - trueBlocked)):0.00} bits."));
        o.WriteLine();
    }

    public static double Ratio(double a, double b) => b == 0 ? 0 : a / b;

    private static double F1(double p, double r) => p + r == 0 ? 0 : 2 * p * r / (p + r);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The time a stage took, for the printout.</summary>
public static class Timing
{
    public static (T Result, TimeSpan Elapsed) Measure<T>(Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        return (result, clock.Elapsed);
    }
}
