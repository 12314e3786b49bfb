using System.Collections.Frozen;
using System.Reflection;

namespace Registry.ServiceDefaults.Validation;

/// <summary>
/// The real code lists (not just their shape): ISO 3166-1 alpha-2 countries, the primary language subtags of
/// BCP 47 (ISO 639-1, and ISO 639-3 where a language has no two-letter code: RFC 5646 section 2.2.1) and ISO 15924
/// scripts. Read once from <c>iso-codes.txt</c> (embedded; its header names the source, Debian's iso-codes 4.15.0,
/// and the date). Regenerate it from <c>/usr/share/iso-codes/json</c> with the same selection when ISO changes a list.
/// <para>One exception to "officially assigned": <b>XK</b>, the user-assigned code the European Commission, the IMF
/// and the ICRC's own forms use for Kosovo, which has no ISO code; a person's nationality must be recordable.
/// Every other user-assigned (AA, QM-QZ, XA-XZ, ZZ) or reserved code (EU, UK, SU, ...) is refused.</para>
/// </summary>
public static class IsoCodes
{
    /// <summary>User-assigned codes accepted as countries besides the official list (see the class comment).</summary>
    public static readonly IReadOnlySet<string> AcceptedUserAssignedCountries = new HashSet<string> { "XK" };

    private static readonly Lazy<(FrozenSet<string> Countries, FrozenSet<string> Languages, FrozenDictionary<string, string> LongLanguages, FrozenSet<string> Scripts)> Lists =
        new(Load);

    /// <summary>Whether <paramref name="code"/> (capitals) is an ISO 3166-1 alpha-2 country, or XK.</summary>
    public static bool IsCountry(string code) => Lists.Value.Countries.Contains(code) || AcceptedUserAssignedCountries.Contains(code);

    /// <summary>Whether <paramref name="subtag"/> (lower case) is a BCP 47 primary language subtag.</summary>
    public static bool IsLanguage(string subtag) => Lists.Value.Languages.Contains(subtag);

    /// <summary>The two-letter code BCP 47 requires instead of an ISO 639-2/3 code (e.g. "ko" for "kor"), or null.</summary>
    public static string? ShorterLanguage(string subtag) => Lists.Value.LongLanguages.GetValueOrDefault(subtag);

    /// <summary>Whether <paramref name="subtag"/> (title case, e.g. Kore) is an ISO 15924 script.</summary>
    public static bool IsScript(string subtag) => Lists.Value.Scripts.Contains(subtag);

    private static (FrozenSet<string>, FrozenSet<string>, FrozenDictionary<string, string>, FrozenSet<string>) Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Registry.IsoCodes.txt")
            ?? throw new InvalidOperationException("The embedded ISO code lists (Validation/iso-codes.txt) are missing.");
        using var reader = new StreamReader(stream);
        var sections = new Dictionary<string, List<string>>();
        List<string>? current = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                current = sections[line[1..line.IndexOf(']')]] = [];
                continue;
            }

            current!.AddRange(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        var languages = sections["languages"];
        return (sections["countries"].ToFrozenSet(StringComparer.Ordinal),
            languages.ToFrozenSet(StringComparer.Ordinal),
            sections["three-letter-with-two-letter"].Select(p => p.Split('=')).ToFrozenDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
            sections["scripts"].ToFrozenSet(StringComparer.Ordinal));
    }
}
