using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Registry.Linkage;

// registry-linkage: the labelled evaluation set of duplicate detection and its benchmark (docs/linkage.md).
var seed = new Option<int>("--seed") { Description = "Seed of the generator (same seed, same records).", DefaultValueFactory = _ => 12 };
var perVariation = new Option<int>("--per-variation") { Description = "Persons registered a second time, per kind of variation.", DefaultValueFactory = _ => 500 };
var newPersons = new Option<int>("--new") { Description = "Persons never registered before.", DefaultValueFactory = _ => 5000 };

var persons = new Option<int>("--persons") { Description = "Registered persons.", DefaultValueFactory = _ => 10_000 };
var output = new Option<FileInfo?>("--out") { Description = "JSON Lines file to write (default: standard output)." };
var generate = new Command("generate", "Writes the labelled set as JSON Lines: one record a line, with its person, role and variation.")
{
    persons, perVariation, newPersons, seed, output,
};
generate.SetAction(parse =>
{
    var set = new Generator(parse.GetValue(seed)).Generate(parse.GetValue(persons), parse.GetValue(perVariation), parse.GetValue(newPersons));
    using var writer = parse.GetValue(output) is { } file ? new StreamWriter(file.FullName) : new StreamWriter(Console.OpenStandardOutput());
    foreach (var record in set.All)
    {
        writer.WriteLine(JsonSerializer.Serialize(record));
    }

    return 0;
});

var sizes = new Option<string>("--sizes") { Description = "Registry sizes to evaluate at, comma-separated.", DefaultValueFactory = _ => "10000,100000" };
var threshold = new Option<double?>("--threshold") { Description = "Match weight (bits) of a candidate; default: the service's (LinkageModel.Threshold)." };
var sweep = new Option<bool>("--sweep") { Description = "Also print recall and precision at thresholds 0 to 24 bits." };
var estimate = new Option<bool>("--estimate") { Description = "Also print m and u of every comparison outcome, measured on the set." };
var missedSearches = new Option<int>("--explain-search") { Description = "Also print this many name searches that missed, per kind of variation." };
var baseline = new Option<bool>("--baseline") { Description = "Also print the figures of the detection this replaced (before)." };
var explain = new Option<int>("--explain") { Description = "Also print this many false candidates with their comparisons." };
var bench = new Command("bench", "Prints precision, recall and F1 of duplicate candidates and recall of name search, per kind of variation, at each size.")
{
    sizes, perVariation, newPersons, seed, threshold, sweep, estimate, explain, baseline, missedSearches,
};
bench.SetAction(parse =>
{
    var o = Console.Out;
    o.WriteLine($"registry-linkage bench --sizes {parse.GetValue(sizes)} --per-variation {parse.GetValue(perVariation)} --new {parse.GetValue(newPersons)} --seed {parse.GetValue(seed)}");
    o.WriteLine();
    foreach (var size in parse.GetValue(sizes)!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)))
    {
        var set = new Generator(parse.GetValue(seed)).Generate(size, parse.GetValue(perVariation), parse.GetValue(newPersons));
        var ((evaluation, probes), elapsed) = Timing.Measure(() =>
        {
            var e = new Evaluation(set);
            return (e, e.RunAll());
        });
        var t = parse.GetValue(threshold) ?? Registry.Intake.Domain.Linkage.LinkageModel.Threshold;
        Report.Print(o, set, evaluation, probes, elapsed, t, NameSearchRecall.For(set));
        if (parse.GetValue(sweep))
        {
            Report.Sweep(o, probes);
        }

        if (parse.GetValue(missedSearches) is > 0 and var count)
        {
            var search = NameSearchRecall.For(set);
            var first = set.Registry.ToDictionary(r => r.PersonId);
            foreach (var missed in set.Seconds.Where(r => !search(r, true)).GroupBy(r => r.Variation).SelectMany(g => g.Take(count)))
            {
                o.WriteLine($"- {missed.Variation}: \"{NameSearchRecall.QueryOf(missed)}\" misses {Generator.Format(first[missed.PersonId])}");
            }

            o.WriteLine();
        }

        if (parse.GetValue(baseline))
        {
            Baseline.Print(o, set);
        }

        if (parse.GetValue(explain) > 0)
        {
            Report.Explain(o, set, probes, t, parse.GetValue(explain));
        }

        if (parse.GetValue(estimate))
        {
            Report.Estimate(o, evaluation, probes, parse.GetValue(seed));
        }
    }

    return 0;
});

var root = new RootCommand("The labelled evaluation set of record linkage and its benchmark (docs/linkage.md).") { generate, bench };
return root.Parse(args).Invoke();
