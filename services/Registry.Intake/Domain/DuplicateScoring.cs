namespace Registry.Intake.Domain;

/// <summary>A reason to think two cases are one person, with its score (0 to 1).</summary>
public sealed record DuplicateMatch(double Score, IReadOnlyList<string> Reasons);

/// <summary>
/// Decides whether two cases may be one person. The same service number is decisive; otherwise
/// similar names in either script count only together with the same birth year and nationality,
/// since many people share a name (Kim, Ri, Pak are common Korean family names).
/// </summary>
public static class DuplicateScoring
{
    /// <summary>Names at least this similar (trigram Jaccard, like pg_trgm's similarity) count as similar.</summary>
    public const double NameThreshold = 0.5;

    public static DuplicateMatch? Match(PersonIdentity a, PersonIdentity b)
    {
        if (!string.IsNullOrEmpty(a.ServiceNumber) && NormaliseNumber(a.ServiceNumber) == NormaliseNumber(b.ServiceNumber))
        {
            return new DuplicateMatch(1.0, ["same service number"]);
        }

        if (a.BirthYear is null || a.BirthYear != b.BirthYear || string.IsNullOrEmpty(a.Nationality) || a.Nationality != b.Nationality)
        {
            return null;
        }

        var original = Similarity(NameSearch.Normalise($"{a.FamilyName} {a.GivenNames}"), NameSearch.Normalise($"{b.FamilyName} {b.GivenNames}"));
        var latin = Similarity(NameSearch.Normalise($"{a.FamilyNameLatin} {a.GivenNamesLatin}"), NameSearch.Normalise($"{b.FamilyNameLatin} {b.GivenNamesLatin}"));
        var names = Math.Max(original, latin);
        if (names < NameThreshold)
        {
            return null;
        }

        var script = original >= latin ? "original script" : "Latin script";
        return new DuplicateMatch(Math.Round(0.6 * names + 0.4, 2),
            [$"similar names in {script} ({names:0.00})", "same birth year", "same nationality"]);
    }

    /// <summary>Trigram similarity of two normalised texts: shared trigrams over all trigrams (0 when either is empty).</summary>
    public static double Similarity(string a, string b)
    {
        var x = Trigrams(a);
        var y = Trigrams(b);
        if (x.Count == 0 || y.Count == 0)
        {
            return 0;
        }

        var shared = x.Count(y.Contains);
        return (double)shared / (x.Count + y.Count - shared);
    }

    // As pg_trgm does: each word padded with two spaces in front and one behind.
    private static HashSet<string> Trigrams(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var padded = $"  {word} ";
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                set.Add(padded.Substring(i, 3));
            }
        }

        return set;
    }

    /// <summary>A service number without separators or case, to compare numbers written differently.</summary>
    public static string NormaliseNumber(string? number) =>
        new string((number ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
}
