using Registry.Intake.Domain.Linkage;

namespace Registry.Intake.Domain;

/// <summary>
/// What duplicate detection compares of a case, already normalised: the service number (null when none),
/// birth year, nationality, and the names in the original script and in Latin (<see cref="NameSearch"/>;
/// "" when the case has none in that script). Stored on each case, so an earlier case is compared
/// without reading or normalising its names again. The trigram sets are computed once per instance.
/// </summary>
public sealed class DuplicateKeys(string? serviceNumberKey, int? birthYear, string? nationality, string nameKey, string latinNameKey)
{
    private ulong[]? _name;
    private ulong[]? _latin;

    public string? ServiceNumberKey { get; } = serviceNumberKey;
    public int? BirthYear { get; } = birthYear;
    public string? Nationality { get; } = nationality;
    public string NameKey { get; } = nameKey;
    public string LatinNameKey { get; } = latinNameKey;

    internal ulong[] NameTrigrams => _name ??= DuplicateScoring.Trigrams(NameKey);
    internal ulong[] LatinNameTrigrams => _latin ??= DuplicateScoring.Trigrams(LatinNameKey);

    public static DuplicateKeys Of(PersonIdentity identity) => new(
        DuplicateScoring.ServiceNumberKey(identity.ServiceNumber), identity.BirthYear, identity.Nationality,
        NameSearch.OriginalScript(identity), NameSearch.Latin(identity));
}

/// <summary>
/// Decides whether two cases may be one person: record linkage in the Fellegi-Sunter manner
/// (<see cref="LinkageModel"/>; docs/linkage.md). No single field decides: the same service number weighs
/// much, but names, birth date and nationality that contradict it weigh against; an unknown field is neutral.
/// </summary>
public static class DuplicateScoring
{
    /// <summary>The comparison of a new case's record with an earlier one's (<see cref="LinkageModel.Score"/>).</summary>
    public static LinkageScore Match(LinkageRecord newer, LinkageRecord earlier, NameFrequencies frequencies) =>
        LinkageModel.Score(newer, earlier, frequencies);

    /// <summary>Trigram similarity of two normalised texts: shared trigrams over all trigrams (0 when either is empty).</summary>
    public static double Similarity(string a, string b) => Jaccard(Trigrams(a), Trigrams(b));

    private static double Jaccard(ulong[] x, ulong[] y)
    {
        if (x.Length == 0 || y.Length == 0)
        {
            return 0;
        }

        // Both sorted and without repeats: count the common ones in one pass.
        int i = 0, j = 0, shared = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == y[j])
            {
                shared++;
                i++;
                j++;
            }
            else if (x[i] < y[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (double)shared / (x.Length + y.Length - shared);
    }

    /// <summary>
    /// The set of trigrams of a normalised text as pg_trgm forms them (each word padded with two spaces
    /// in front and one behind), each packed into a number (three UTF-16 units), sorted, without repeats.
    /// Every earlier case of a nationality and birth year goes through this (~4,900 of them for the largest
    /// group at 100,000 cases), so it works in one buffer: a word of n letters makes n + 1 trigrams.
    /// </summary>
    internal static ulong[] Trigrams(string text)
    {
        var buffer = text.Length < 240 ? stackalloc ulong[text.Length + 1] : new ulong[text.Length + 1];
        var count = 0;
        ulong a = ' ', b = ' ';
        var inWord = false;
        foreach (var c in text)
        {
            if (c != ' ')
            {
                buffer[count++] = (a << 32) | (b << 16) | c;
                (a, b, inWord) = (b, c, true);
            }
            else if (inWord)
            {
                buffer[count++] = (a << 32) | (b << 16) | ' ';
                (a, b, inWord) = (' ', ' ', false);
            }
        }

        if (inWord)
        {
            buffer[count++] = (a << 32) | (b << 16) | ' ';
        }

        var trigrams = buffer[..count];
        trigrams.Sort();
        var unique = 0;
        foreach (var t in trigrams)
        {
            if (unique == 0 || t != trigrams[unique - 1])
            {
                trigrams[unique++] = t;
            }
        }

        return trigrams[..unique].ToArray();
    }

    /// <summary>A service number without separators or case, to compare numbers written differently.</summary>
    public static string NormaliseNumber(string? number) =>
        new string((number ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    /// <summary>The normalised service number, or null when there is none (nothing to compare).</summary>
    public static string? ServiceNumberKey(string? number) => NormaliseNumber(number) is { Length: > 0 } key ? key : null;
}
