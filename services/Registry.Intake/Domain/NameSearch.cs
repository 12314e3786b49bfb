using System.Text;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Domain;

/// <summary>What a case is found by in a name search: two texts of space-separated tokens, stored on the case.</summary>
/// <param name="Compact">
/// Same-script tokens (<see cref="NameKeys.Fold"/> words and <see cref="NameKeys.Compact"/> forms of each
/// name field and of family + given in both orders, per script): column SearchText.
/// </param>
/// <param name="Cross">The same tokens as cross-script keys (<see cref="NameKeys.CrossScript"/>, ASCII): column SearchKey.</param>
public sealed record NameSearchKeys(string Compact, string Cross);

/// <summary>One word of a name query, in the forms it is looked up by.</summary>
/// <param name="Compact">The same-script form (<see cref="NameKeys.Fold"/>).</param>
/// <param name="Cross">The cross-script key (<see cref="NameKeys.CrossScript"/>).</param>
/// <param name="CrossH">The cross-script key with г read as "h" (<see cref="NameKeys.CrossScriptUkrainianH"/>); null when the word has none.</param>
/// <param name="CrossSurname">The key of the Korean surname a conventional spelling stands for (<see cref="NameKeys.CrossScriptSurname"/>); null when none.</param>
/// <param name="FirstLetters">The letters the word's key could begin with (<see cref="NameKeys.FirstLetters"/>): the anchor of the whole-name stage.</param>
public sealed record NameQueryWord(string Compact, string Cross, string? CrossH = null, string? CrossSurname = null, string FirstLetters = "");

/// <summary>A name query: its words, and the cross-script key of the whole query (all words joined) for the whole-name fuzzy stage.</summary>
/// <param name="Words">The words (<see cref="NameSearch.Query"/>); empty when the text has no letter or digit.</param>
/// <param name="Whole">
/// <see cref="NameKeys.CrossScript"/> of the whole query when it has two words or more and at least
/// <see cref="NameSearch.FuzzyMinLength"/> letters, else null (a one-word query is the word).
/// </param>
public sealed record NameQuery(IReadOnlyList<NameQueryWord> Words, string? Whole);

/// <summary>
/// Name search, as one rule that the database query (<c>CaseSearchQuery</c>) and this pure function
/// (<see cref="Matches(NameQuery, NameSearchKeys, bool)"/>) both apply:
/// the query is split into words (<see cref="NameKeys.Fold"/>), and a case matches when EVERY word is
/// <list type="number">
/// <item>a substring of one of its same-script tokens (<see cref="NameKeys.Compact"/> of the word), or</item>
/// <item>a substring of one of its cross-script tokens (<see cref="NameKeys.CrossScript"/> of the word, or of
/// <see cref="NameKeys.CrossScriptUkrainianH"/> of it: Ukrainian г written "h" or "g", or of
/// <see cref="NameKeys.CrossScriptSurname"/>: "Park" for 박/Pak; the stored tokens carry both readings of such
/// words too, the surname reading for family-name words only), or</item>
/// <item>with <c>fuzzy</c> (PostgreSQL only), for a word whose cross-script key has at least
/// <see cref="FuzzyMinLength"/> letters: the first or the second half of that key occurs in the
/// cross-script tokens (one wrong, missing or extra letter leaves one half whole), and pg_trgm's <c>strict_word_similarity</c> of the key against whole tokens is
/// at least <see cref="WordSimilarityThreshold"/> (<see cref="StrictWordSimilarity"/>). One letter wrong,
/// missing or extra in a word of seven letters or more passes ("Kovalenka", "Kowalenko", "Kovalennko"
/// find Коваленко; "Ivonova" finds Іванова); a name that merely begins the same ("Kovalchuk") does not.</item>
/// </list>
/// With <c>fuzzy</c>, a query of two words or more also matches when all its words but one match so, one of the
/// case's cross-script tokens begins with a letter the remaining word's key could begin with
/// (<see cref="NameKeys.FirstLetters"/>: its first letter, alone or starting a digraph), and
/// the query's whole key (<see cref="NameQuery.Whole"/>: the cross-script key of all its words joined) is similar
/// to the stored tokens in the way of stage 3 (a whole half of it present, strict word similarity at least
/// <see cref="WholeNameSimilarityThreshold"/>). So one letter wrong, missing or extra, or two swapped, in a short
/// word of a full-name query ("Kmi Hun Sam", "Melnyk Vitor") still finds the person. The first letter is the
/// anchor trigrams cannot give for a word of three letters (a slip there is rare: Pollock and Zamora, "Automatic
/// spelling correction in scientific and scholarly text", CACM 27(4), 1984; the benchmark's typos keep it):
/// "Kmi Hun Sam" shares as many trigrams with Ri Hun Sam as with Kim Hun Sam. The stored whole-name tokens hold
/// both name orders, so one order of the query is enough.
/// So "백광순", "백 광순", "myongchol", "Myong-Chol", "коваленко", "kwang" (광순), "Myeong" (Jo Myong Chol),
/// either name order, all find their case. The embedded SQLite store has no trigram functions: it runs
/// stages 1 and 2 only.
/// </summary>
public static class NameSearch
{
    /// <summary>
    /// The least strict word similarity of the fuzzy stage: one letter wrong in the middle of a word of
    /// seven letters scores 0.4545 ("ivonova" in "ivanova"), of nine 0.54 ("kowalenko"); a name sharing only
    /// its first half scores about 0.36 ("kovaljuk" against "kovalenko"). In SQL it is pg_trgm's
    /// <c>&lt;&lt;%</c> operator, which answers at the session's pg_trgm.strict_word_similarity_threshold: the search sets that
    /// to this value for its own transaction (<c>CaseSearchQuery.PageByNameAsync</c>, <c>WithIndexSimilarityThresholdAsync</c>).
    /// </summary>
    public const double WordSimilarityThreshold = 0.45;

    /// <summary>
    /// The least strict word similarity of the whole-query stage, lower than a word's: a whole name is long, and
    /// two letters swapped in a short word of it ("Kmi Hun Sam" for Kim Hun Sam) break four of its trigrams,
    /// leaving 0.43 (tools/linkage.sh measures the stage). The first-letter anchor, not this threshold, keeps
    /// other names out: "Kim Kwang Chol" scores 0.5 against Kim Kwang Sun, but no token of his begins with "j" (ch).
    /// </summary>
    public const double WholeNameSimilarityThreshold = 0.4;

    /// <summary>Shorter words are not matched fuzzily: one letter off in "kim" is another name; each half has three letters or more.</summary>
    public const int FuzzyMinLength = 6;

    /// <summary>
    /// The characters of the scripts whose names are written in words of one or two characters, as a regular-expression
    /// class: kana (U+3040-U+30FF), CJK ideographs (U+3400-U+4DBF, U+4E00-U+9FFF) and Hangul syllables (U+AC00-U+D7A3),
    /// such as the family name 손 or the given name 광금. A LIKE pattern of fewer than three characters gives pg_trgm no
    /// trigram, so PostgreSQL answers <c>"SearchText" LIKE '%손%'</c> by reading every case (2.9-7.0 s at a million:
    /// docs/performance.md); on PostgreSQL each case's characters of this class are also kept as an array with a GIN index
    /// (<c>"SearchSyllables"</c>, computed by the database from the same-script tokens), which answers such a word.
    /// </summary>
    public const string SyllableClass = @"\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7A3";

    /// <summary>Whether <paramref name="c"/> is of <see cref="SyllableClass"/>.</summary>
    public static bool IsSyllable(char c) => c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7A3';

    /// <summary>
    /// Whether a query word (its same-script form, <see cref="NameQueryWord.Compact"/>) is one or two characters, all of
    /// <see cref="SyllableClass"/>: a word the trigram index cannot answer and the syllable index can. Its rule does not change:
    /// every character of such a word is in the array of any case whose tokens hold the word, so the array's condition
    /// only narrows the cases the LIKE is checked on.
    /// </summary>
    public static bool IsShortSyllableWord(string compact) => compact.Length is 1 or 2 && compact.All(IsSyllable);

    /// <summary>
    /// The stored search tokens of a person (see <see cref="NameSearchKeys"/>), with the names of the cases merged
    /// into theirs (<paramref name="aliases"/>: <c>CaptureCase.AliasNames</c>, each "names | Latin names"), so the
    /// survivor of a merge is found by every name any record of the person had.
    /// </summary>
    public static NameSearchKeys KeysOf(PersonIdentity identity, IReadOnlyList<string>? aliases = null)
    {
        var compact = new List<string>(12);
        var cross = new List<string>(12);
        Script(identity.FamilyName, identity.GivenNames, compact, cross);
        Script(identity.FamilyNameLatin, identity.GivenNamesLatin, compact, cross);
        foreach (var alias in aliases ?? [])
        {
            foreach (var names in alias.Split(" | ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Script(names, null, compact, cross);
            }
        }

        return new NameSearchKeys(Join(compact, CaptureCase.SearchTextMaxLength), Join(cross, CaptureCase.SearchTextMaxLength));
    }

    /// <summary>The words of a query and its whole key; no words when it has no letter or digit.</summary>
    public static NameQuery Query(string? text)
    {
        var folded = NameKeys.Fold(text);
        var words = new List<NameQueryWord>();
        foreach (var word in folded.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var cross = NameKeys.CrossScript(word);
            var entry = new NameQueryWord(word, cross, NameKeys.CrossScriptUkrainianH(word) is { } h && h != cross ? h : null,
                NameKeys.CrossScriptSurname(word) is { } surname && surname != cross ? surname : null, NameKeys.FirstLetters(word));
            if (!words.Contains(entry))
            {
                words.Add(entry);
            }
        }

        var whole = words.Count >= 2 ? NameKeys.CrossScript(text) : "";
        return new NameQuery(words, whole.Length >= FuzzyMinLength ? whole : null);
    }

    /// <summary>Whether a case with these stored keys matches the query (the rule in the class summary).</summary>
    public static bool Matches(NameQuery query, NameSearchKeys keys, bool fuzzy)
    {
        if (query.Words.Count == 0)
        {
            return false;
        }

        var missing = -1;
        for (var i = 0; i < query.Words.Count; i++)
        {
            var word = query.Words[i];
            var found = keys.Compact.Contains(word.Compact, StringComparison.Ordinal)
                        || (word.Cross.Length > 0 && keys.Cross.Contains(word.Cross, StringComparison.Ordinal))
                        || (word.CrossH is { } h && keys.Cross.Contains(h, StringComparison.Ordinal))
                        || (word.CrossSurname is { } surname && keys.Cross.Contains(surname, StringComparison.Ordinal))
                        || (fuzzy && IsSimilar(word.Cross, keys.Cross));
            if (!found)
            {
                if (missing >= 0)
                {
                    return false;
                }

                missing = i;
            }
        }

        return missing < 0
               || (fuzzy && query.Whole is { } whole && BeginsToken(query.Words[missing].FirstLetters, keys.Cross)
                   && IsSimilar(whole, keys.Cross, WholeNameSimilarityThreshold));
    }

    /// <summary>Whether a token of the cross-script tokens begins with one of these letters (false for none).</summary>
    public static bool BeginsToken(string letters, string tokens)
    {
        foreach (var letter in letters)
        {
            if (tokens.StartsWith(letter) || tokens.Contains(string.Concat(" ", letter.ToString()), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The fuzzy stage for one word's cross-script key: a whole half present, and word similarity at the threshold.</summary>
    public static bool IsSimilar(string cross, string tokens, double threshold = WordSimilarityThreshold)
    {
        if (cross.Length < FuzzyMinLength)
        {
            return false;
        }

        var (first, second) = Halves(cross);
        return (tokens.Contains(first, StringComparison.Ordinal) || tokens.Contains(second, StringComparison.Ordinal))
               && StrictWordSimilarity(cross, tokens) >= threshold;
    }

    /// <summary>A key cut in two (the second half the longer).</summary>
    public static (string First, string Second) Halves(string cross) => (cross[..(cross.Length / 2)], cross[(cross.Length / 2)..]);

    /// <summary>Whether a query finds this person (<see cref="Matches(NameQuery, NameSearchKeys, bool)"/>).</summary>
    public static bool Matches(string query, PersonIdentity identity, bool fuzzy) => Matches(Query(query), KeysOf(identity), fuzzy);

    /// <summary>
    /// pg_trgm's strict word similarity (<c>strict_word_similarity</c>) of <paramref name="word"/> in
    /// <paramref name="text"/>: the greatest similarity (shared trigrams over all distinct trigrams) between
    /// the trigrams of the word and those of any run of whole consecutive words of the text. Both are
    /// lower-case letters, digits and single spaces. pg_trgm searches the runs greedily; this tries every
    /// run, so where the greedy search stops short it could be higher (the agreement test compares both).
    /// </summary>
    public static float StrictWordSimilarity(string word, string text)
    {
        var query = DuplicateScoring.Trigrams(word);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (query.Length == 0 || words.Length == 0)
        {
            return 0;
        }

        var trigrams = words.Select(DuplicateScoring.Trigrams).ToArray();
        var best = 0f;
        var seen = new HashSet<ulong>();
        for (var first = 0; first < words.Length; first++)
        {
            seen.Clear();
            var count = 0;
            for (var last = first; last < words.Length; last++)
            {
                foreach (var t in trigrams[last])
                {
                    if (seen.Add(t) && Array.BinarySearch(query, t) >= 0)
                    {
                        count++;
                    }
                }

                best = Math.Max(best, count / (float)(query.Length + seen.Count - count));
            }
        }

        return best;
    }

    private static void Script(string? family, string? given, List<string> compact, List<string> cross)
    {
        foreach (var field in (ReadOnlySpan<string?>)[family, given])
        {
            foreach (var word in NameKeys.Fold(field).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Add(compact, word);
            }

            foreach (var word in NameKeys.CrossScriptWords(field))
            {
                Add(cross, word);
            }

            foreach (var word in NameKeys.CrossScriptUkrainianHWords(field))
            {
                Add(cross, word);
            }

            if (field == family)
            {
                foreach (var word in NameKeys.CrossScriptSurnameWords(field))
                {
                    Add(cross, word);
                }
            }
        }

        if (string.IsNullOrWhiteSpace(family) && string.IsNullOrWhiteSpace(given))
        {
            return;
        }

        Add(compact, NameKeys.Compact($"{family} {given}"));
        Add(compact, NameKeys.Compact($"{given} {family}"));
        Add(cross, NameKeys.CrossScript($"{family} {given}"));
        Add(cross, NameKeys.CrossScript($"{given} {family}"));

        static void Add(List<string> tokens, string token)
        {
            if (token.Length > 0 && !tokens.Contains(token))
            {
                tokens.Add(token);
            }
        }
    }

    /// <summary>The tokens, longest (whole names) kept first when the column would overflow.</summary>
    private static string Join(List<string> tokens, int maxLength)
    {
        var text = string.Join(' ', tokens);
        if (text.Length <= maxLength)
        {
            return text;
        }

        var builder = new StringBuilder(maxLength);
        foreach (var token in tokens.OrderByDescending(t => t.Length))
        {
            if (builder.Length + token.Length + 1 <= maxLength)
            {
                builder.Append(builder.Length == 0 ? "" : " ").Append(token);
            }
        }

        return builder.ToString();
    }
}
