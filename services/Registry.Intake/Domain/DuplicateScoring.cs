using Registry.Intake.Domain.Linkage;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Domain;

/// <summary>
/// What duplicate detection compares of a case, already normalised: the service number key (null when
/// none, or a placeholder: <see cref="ServiceNumbers.Key"/>), birth year, nationality, and the names as
/// cross-script keys (<see cref="NameKeys.CrossScript"/> of family + given) from the original script and
/// from the Latin fields ("" when the case has none in that script). Stored on each case (with
/// <see cref="NameKeys.Version"/>), so an earlier case is compared without reading or normalising its
/// names again. The trigram sets are computed once per instance.
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
        OriginalNameKey(identity), LatinNameKeyOf(identity));

    /// <summary>The cross-script key of the names in the original script (family, then given), at most <see cref="CaptureCase.NameKeyMaxLength"/> characters.</summary>
    public static string OriginalNameKey(PersonIdentity identity) => Capped(NameKeys.CrossScript($"{identity.FamilyName} {identity.GivenNames}"));

    /// <summary>The cross-script key of the Latin names (family, then given), at most <see cref="CaptureCase.NameKeyMaxLength"/> characters.</summary>
    public static string LatinNameKeyOf(PersonIdentity identity) => Capped(NameKeys.CrossScript($"{identity.FamilyNameLatin} {identity.GivenNamesLatin}"));

    /// <summary>
    /// A key cut to <see cref="CaptureCase.NameKeyMaxLength"/>: a transliteration is longer than its name (a Han or Hangul
    /// character becomes two to six Latin letters), so names within their limits (200 characters each) could make a key the
    /// column cannot hold. Names that long are compared on the key's first 500 characters; never cut within a surrogate pair.
    /// </summary>
    private static string Capped(string key)
    {
        if (key.Length <= CaptureCase.NameKeyMaxLength)
        {
            return key;
        }

        var end = char.IsHighSurrogate(key[CaptureCase.NameKeyMaxLength - 1]) ? CaptureCase.NameKeyMaxLength - 1 : CaptureCase.NameKeyMaxLength;
        return key[..end].TrimEnd();
    }
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

    /// <summary>
    /// Two identities alone (no capture compared; every name as rare as <see cref="LinkageModel.DefaultNameShare"/>):
    /// their score when they make a candidate, else null.
    /// </summary>
    public static LinkageScore? Match(PersonIdentity a, PersonIdentity b) =>
        LinkageModel.Score(LinkageRecord.Of(0, a, null, null), LinkageRecord.Of(0, b, null, null), NameFrequencies.None) is { IsCandidate: true } score
            ? score
            : null;

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

    /// <summary>A service number in its compared form (<see cref="ServiceNumbers.Normalise"/>).</summary>
    public static string NormaliseNumber(string? number) => ServiceNumbers.Normalise(number);

    /// <summary>The service number's key, or null when there is none or it is a placeholder (<see cref="ServiceNumbers.Key"/>).</summary>
    public static string? ServiceNumberKey(string? number) => ServiceNumbers.Key(number);
}
