using System.Globalization;
using System.Text;
using Registry.Intake.Domain;

namespace Registry.Linkage;

/// <summary>
/// Duplicate detection as it was before record linkage (main at 9a972e9), to measure "before" on the same
/// labelled set: every case of the same nationality and birth year, or with the same service number
/// (letters and digits, upper case; placeholders included), compared by trigram similarity of the names
/// (lower case, diacritics stripped, Hangul whole) in the original script or in Latin, at least 0.5.
/// The normalisation is that code's, kept here only to measure it; the service no longer runs it.
/// </summary>
public static class Baseline
{
    private sealed record Keys(int Index, string? Number, int? Year, string? Nationality, string Name, string Latin);

    public static void Print(TextWriter o, EvaluationSet set)
    {
        var registry = set.Registry.Select((r, i) => KeysOf(r, i)).ToList();
        var byNumber = registry.Where(k => k.Number is not null).ToLookup(k => k.Number!);
        var byYear = registry.Where(k => k.Year is not null && k.Nationality is not null).ToLookup(k => (k.Nationality!, k.Year!.Value));
        var firstIndex = set.Registry.Select((r, i) => (r.PersonId, i)).ToDictionary(x => x.PersonId, x => x.i);
        var probes = set.Seconds.Concat(set.NewPersons).ToList();
        var results = new (int Kind, int Tp, int Fp, int Count)[probes.Count];
        Parallel.For(0, probes.Count, p =>
        {
            var record = probes[p];
            var a = KeysOf(record, -1);
            var earlier = (a.Number is null ? [] : byNumber[a.Number])
                .Concat(a.Year is null || a.Nationality is null ? [] : byYear[(a.Nationality, a.Year.Value)])
                .DistinctBy(k => k.Index);
            var candidates = earlier.Where(b => Matches(a, b)).Take(50).ToList();
            var truth = record.Role == RecordRole.Second ? firstIndex[record.PersonId] : -1;
            var tp = candidates.Count(c => c.Index == truth);
            results[p] = (record.Variation is { } v ? (int)v : -1, tp, candidates.Count - tp, candidates.Count);
        });

        o.WriteLine("Before (the replaced detection: same nationality and birth year, or the same service number, then name trigrams ≥ 0.5):");
        o.WriteLine();
        o.WriteLine("| variation | recall | precision |");
        o.WriteLine("| --- | ---: | ---: |");
        foreach (var kind in Enum.GetValues<Variation>())
        {
            var group = results.Where(r => r.Kind == (int)kind).ToList();
            var (tp, fp) = (group.Sum(r => r.Tp), group.Sum(r => r.Fp));
            o.WriteLine(FormattableString.Invariant($"| {kind} | {Report.Ratio(tp, group.Count):0.000} | {Report.Ratio(tp, tp + fp):0.000} |"));
        }

        var seconds = results.Where(r => r.Kind >= 0).ToList();
        var fresh = results.Where(r => r.Kind < 0).ToList();
        var (allTp, allFp) = (seconds.Sum(r => r.Tp), seconds.Sum(r => r.Fp) + fresh.Sum(r => r.Count));
        o.WriteLine(FormattableString.Invariant($"| **all** | **{Report.Ratio(allTp, seconds.Count):0.000}** | **{Report.Ratio(allTp, allTp + allFp):0.000}** |"));
        o.WriteLine();
        o.WriteLine(FormattableString.Invariant($"Candidates per registration of a new person, before: **{Report.Ratio(fresh.Sum(r => r.Count), fresh.Count):0.000}**."));
        o.WriteLine();
    }

    private static bool Matches(Keys a, Keys b)
    {
        if (a.Number is not null && a.Number == b.Number)
        {
            return true;
        }

        if (a.Year is null || a.Year != b.Year || a.Nationality is null || a.Nationality != b.Nationality)
        {
            return false;
        }

        return Math.Max(DuplicateScoring.Similarity(a.Name, b.Name), DuplicateScoring.Similarity(a.Latin, b.Latin)) >= 0.5;
    }

    private static Keys KeysOf(SyntheticRecord r, int index)
    {
        var number = new string((r.ServiceNumber ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        return new Keys(index, number.Length > 0 ? number : null, r.BirthYear, r.Nationality,
            Normalise($"{r.FamilyName} {r.GivenNames}"), Normalise($"{r.FamilyNameLatin} {r.GivenNamesLatin}"));
    }

    private static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (ch is >= '\uAC00' and <= '\uD7A3')
            {
                builder.Append(ch);
                continue;
            }

            foreach (var part in ch.ToString().Normalize(NormalizationForm.FormD))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(part);
                if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                {
                    continue;
                }

                builder.Append(char.IsLetterOrDigit(part) ? char.ToLowerInvariant(part) : ' ');
            }
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)).Normalize(NormalizationForm.FormC);
    }
}
