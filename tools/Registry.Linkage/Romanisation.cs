using System.Text;

namespace Registry.Linkage;

/// <summary>The Latin spellings agencies really use for Korean names.</summary>
public enum KoreanSystem
{
    /// <summary>McCune-Reischauer (1939): k/t/p/ch for plain initials, breves (ŏ, ŭ), apostrophes for aspirates; given names hyphenated ("Kwang-sun", "Myŏng-ch'ŏl").</summary>
    McCuneReischauer,
    /// <summary>Revised Romanisation (South Korea, 2000): g/d/b/j initials, eo/eu; given names joined ("Gwangsun", "Myeongcheol").</summary>
    Revised,
    /// <summary>DPRK usage as in its own media and documents: McCune-Reischauer without breves or apostrophes, j for ㅈ, syllables spaced ("Kwang Sun", "Myong Chol").</summary>
    Dprk,
}

/// <summary>The Latin spellings agencies really use for Russian and Ukrainian names.</summary>
public enum CyrillicSystem
{
    /// <summary>Passports: ICAO Doc 9303 for Russia (2013: ю iu, я ia, й i, ц ts, х kh); the Ukrainian national system (2010) for Ukraine.</summary>
    Passport,
    /// <summary>BGN/PCGN (ю yu, я ya, й y, е ye after a vowel, ь ').</summary>
    BgnPcgn,
    /// <summary>ISO 9 (1995): one letter for one letter with diacritics (ж ž, ч č, ш š, щ ŝ, ю û, я â, й j, х h, ц c).</summary>
    Iso9,
}

/// <summary>Hangul names romanised syllable by syllable from their jamo (Unicode Hangul syllable arithmetic).</summary>
public static class KoreanRomaniser
{
    // Initial consonants in Unicode order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
    private static readonly string[] InitialRr = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
    private static readonly string[] InitialMr = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'", "p'", "h"];
    private static readonly string[] InitialDprk = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th", "ph", "h"];
    // Vowels: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
    private static readonly string[] VowelRr = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"];
    private static readonly string[] VowelMr = ["a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i"];
    private static readonly string[] VowelDprk = ["a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"];
    // Finals: none ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
    private static readonly string[] Final = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"];

    public static string Syllable(char syllable, KoreanSystem system)
    {
        var code = syllable - 0xAC00;
        if (code is < 0 or >= 11172)
        {
            throw new ArgumentOutOfRangeException(nameof(syllable), syllable, "not a Hangul syllable");
        }

        var (initial, vowel, final) = (code / 588, code % 588 / 28, code % 28);
        var (initials, vowels) = system switch
        {
            KoreanSystem.Revised => (InitialRr, VowelRr),
            KoreanSystem.McCuneReischauer => (InitialMr, VowelMr),
            _ => (InitialDprk, VowelDprk),
        };
        return initials[initial] + vowels[vowel] + Final[final];
    }

    /// <summary>A given name as each system writes it: "Kwang-sun" (MR), "Gwangsun" (RR), "Kwang Sun" (DPRK).</summary>
    public static string Given(string hangul, KoreanSystem system)
    {
        var parts = hangul.Select(s => Syllable(s, system)).ToList();
        return system switch
        {
            KoreanSystem.McCuneReischauer => Capital(string.Join('-', parts)),
            KoreanSystem.Revised => Capital(string.Concat(parts)),
            _ => string.Join(' ', parts.Select(Capital)),
        };
    }

    public static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>Russian and Ukrainian names transliterated letter by letter by the systems agencies use.</summary>
public static class CyrillicRomaniser
{
    private const string Vowels = "аеёиоуыэюяієїАЕЁИОУЫЭЮЯІЄЇьъЬЪ";

    public static string Transliterate(string cyrillic, CyrillicSystem system, bool ukrainian)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < cyrillic.Length; i++)
        {
            var c = cyrillic[i];
            var lower = char.ToLowerInvariant(c);
            var wordStart = i == 0 || !char.IsLetter(cyrillic[i - 1]);
            var afterVowel = i > 0 && Vowels.Contains(cyrillic[i - 1]);
            var latin = ukrainian ? Ukrainian(lower, system, wordStart) : Russian(lower, system, wordStart || afterVowel);
            builder.Append(char.IsUpper(c) && latin.Length > 0 ? char.ToUpperInvariant(latin[0]) + latin[1..] : latin);
        }

        return builder.ToString();
    }

    private static string Russian(char c, CyrillicSystem system, bool softPosition) => (c, system) switch
    {
        ('а', _) => "a", ('б', _) => "b", ('в', _) => "v", ('г', _) => "g", ('д', _) => "d",
        ('е', CyrillicSystem.BgnPcgn) => softPosition ? "ye" : "e",
        ('е', _) => "e",
        ('ё', CyrillicSystem.Passport) => "e", ('ё', CyrillicSystem.BgnPcgn) => softPosition ? "yë" : "ë", ('ё', _) => "ë",
        ('ж', CyrillicSystem.Iso9) => "ž", ('ж', _) => "zh",
        ('з', _) => "z", ('и', _) => "i",
        ('й', CyrillicSystem.Passport) => "i", ('й', CyrillicSystem.BgnPcgn) => "y", ('й', _) => "j",
        ('к', _) => "k", ('л', _) => "l", ('м', _) => "m", ('н', _) => "n", ('о', _) => "o", ('п', _) => "p",
        ('р', _) => "r", ('с', _) => "s", ('т', _) => "t", ('у', _) => "u", ('ф', _) => "f",
        ('х', CyrillicSystem.Iso9) => "h", ('х', _) => "kh",
        ('ц', CyrillicSystem.Iso9) => "c", ('ц', _) => "ts",
        ('ч', CyrillicSystem.Iso9) => "č", ('ч', _) => "ch",
        ('ш', CyrillicSystem.Iso9) => "š", ('ш', _) => "sh",
        ('щ', CyrillicSystem.Iso9) => "ŝ", ('щ', _) => "shch",
        ('ъ', CyrillicSystem.Passport) => "ie", ('ъ', CyrillicSystem.BgnPcgn) => "\u201D", ('ъ', _) => "\u02BA",
        ('ы', _) => "y",
        ('ь', CyrillicSystem.Passport) => "", ('ь', CyrillicSystem.BgnPcgn) => "'", ('ь', _) => "\u02B9",
        ('э', CyrillicSystem.Iso9) => "è", ('э', _) => "e",
        ('ю', CyrillicSystem.Passport) => "iu", ('ю', CyrillicSystem.BgnPcgn) => "yu", ('ю', _) => "û",
        ('я', CyrillicSystem.Passport) => "ia", ('я', CyrillicSystem.BgnPcgn) => "ya", ('я', _) => "â",
        _ => c.ToString(),
    };

    // Ukrainian: the national system (2010) is the passport's; BGN/PCGN writes the y-forms everywhere; ISO 9 as for Russian.
    private static string Ukrainian(char c, CyrillicSystem system, bool wordStart) => (c, system) switch
    {
        ('г', CyrillicSystem.Iso9) => "g", ('г', _) => "h",
        ('ґ', _) => "g",
        ('е', _) => "e",
        ('є', CyrillicSystem.Iso9) => "ê", ('є', CyrillicSystem.Passport) => wordStart ? "ye" : "ie", ('є', _) => "ye",
        ('и', CyrillicSystem.Iso9) => "i", ('и', _) => "y",
        ('і', CyrillicSystem.Iso9) => "ì", ('і', _) => "i",
        ('ї', CyrillicSystem.Iso9) => "ï", ('ї', CyrillicSystem.Passport) => wordStart ? "yi" : "i", ('ї', _) => "yi",
        ('й', CyrillicSystem.Iso9) => "j", ('й', CyrillicSystem.Passport) => wordStart ? "y" : "i", ('й', _) => "y",
        ('ю', CyrillicSystem.Iso9) => "û", ('ю', CyrillicSystem.Passport) => wordStart ? "yu" : "iu", ('ю', _) => "yu",
        ('я', CyrillicSystem.Iso9) => "â", ('я', CyrillicSystem.Passport) => wordStart ? "ya" : "ia", ('я', _) => "ya",
        ('х', CyrillicSystem.Iso9) => "h", ('х', _) => "kh",
        ('щ', CyrillicSystem.Iso9) => "ŝ", ('щ', _) => "shch",
        ('ь', CyrillicSystem.Iso9) => "\u02B9", ('ь', CyrillicSystem.BgnPcgn) => "'", ('ь', _) => "",
        ('\'', _) => "",
        _ => Russian(c, system, false),
    };
}
