namespace Registry.Intake.Domain.Names;

/// <summary>
/// Mixed-script lookalikes (Unicode TR39 "Unicode Security Mechanisms", §4 confusable detection): a
/// Cyrillic "о" typed inside a Latin name, or a Latin "K" inside a Cyrillic one. No served package gives
/// TR39 skeletons for .NET (ICU4N 60.1 alpha has no SpoofChecker; icu.net wraps a native ICU4C that is not
/// installed), so this holds the part of confusables.txt that matters for names: the Latin, Cyrillic and
/// Greek letters that look alike in lower and upper case. A word that mixes Latin with Cyrillic or Greek
/// letters is written wholly in its main script — the one with more letters that have no lookalike,
/// then more letters, Latin on a tie — by replacing the other script's lookalikes. Words in one script
/// are left alone (a Cyrillic "р" is the Latin "r", not "p", in a Russian name).
/// </summary>
internal static class Confusables
{
    // Lower-case pairs (the text is lower-cased before this): Cyrillic or Greek letter, the Latin it looks
    // like in either case (В/B, Н/H, М/M, Т/T, к/k, р/p, с/c, у/y, х/x ...).
    private const string Cyrillic = "авекмнорстухіјѕԁԛԝӏ";
    private const string CyrillicAsLatin = "abekmhopctyxijsdqwl";
    private const string Greek = "αβεηικμνορτυχζ";
    private const string GreekAsLatin = "abehikmvoptuxz";
    private const string LatinToCyrillic = "abekmhopctyxij";
    private const string CyrillicForLatin = "авекмнорстухії";

    /// <summary>Rewrites each mixed-script word of <paramref name="words"/> (space-separated, lower case) in its main script.</summary>
    public static void ToMainScript(Span<char> words)
    {
        var start = 0;
        for (var i = 0; i <= words.Length; i++)
        {
            if (i == words.Length || words[i] == ' ')
            {
                Word(words[start..i]);
                start = i + 1;
            }
        }
    }

    private static void Word(Span<char> word)
    {
        int latin = 0, latinOwn = 0, cyrillic = 0, cyrillicOwn = 0, greek = 0, greekOwn = 0;
        foreach (var c in word)
        {
            if (c is >= 'a' and <= 'z')
            {
                latin++;
                latinOwn += LatinToCyrillic.Contains(c) ? 0 : 1;
            }
            else if (c is >= '\u0400' and <= '\u052F')
            {
                cyrillic++;
                cyrillicOwn += Cyrillic.Contains(c) ? 0 : 1;
            }
            else if (c is >= '\u0370' and <= '\u03FF')
            {
                greek++;
                greekOwn += Greek.Contains(c) ? 0 : 1;
            }
        }

        var scripts = (latin > 0 ? 1 : 0) + (cyrillic > 0 ? 1 : 0) + (greek > 0 ? 1 : 0);
        if (scripts < 2)
        {
            return;
        }

        var toCyrillic = cyrillic > 0 && (cyrillicOwn, cyrillic).CompareTo((latinOwn, latin)) > 0
                                      && (cyrillicOwn, cyrillic).CompareTo((greekOwn, greek)) > 0;
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            int at;
            if (toCyrillic)
            {
                if ((at = LatinToCyrillic.IndexOf(c)) >= 0)
                {
                    word[i] = CyrillicForLatin[at];
                }
            }
            else if ((at = Cyrillic.IndexOf(c)) >= 0)
            {
                word[i] = CyrillicAsLatin[at];
            }
            else if ((at = Greek.IndexOf(c)) >= 0)
            {
                word[i] = GreekAsLatin[at];
            }
        }
    }
}
