using System.Globalization;
using System.Text;
using AnyAscii;
using Registry.ServiceDefaults.Validation;

namespace Registry.Intake.Domain.Names;

/// <summary>
/// The one name normalisation of the registry: storage, search and duplicate detection all use these
/// functions and nothing else, so a name that is found by one is found by all.
/// <list type="bullet">
/// <item><see cref="Clean"/> — the storage form: Unicode NFKC (UAX #15), format (Cf) and invisible
/// characters removed (zero-width space/joiners, word joiner, BOM, soft hyphen, variation selectors,
/// Hangul fillers ...), every kind of white space and line/paragraph separator made one space, trimmed.
/// What a person-name field stores; it keeps case, diacritics and script.</item>
/// <item><see cref="Fold"/> — folded words, single spaces: lower case, diacritics removed (so Cyrillic
/// ё→е, й→и, ї→і; Arabic hamza carriers → their bare letter), script foldings (ґ→г, є→е; Arabic ٱ→ا,
/// ة→ه, ى→ي, Persian ی/ک, tatweel and harakat removed; Greek ς→σ; ß→ss, ø→o, æ→ae, ł→l, ı→i ...),
/// apostrophes removed (MR "P'aek" = "Paek"), every other non-letter a word boundary; Hangul stays
/// Hangul (syllables whole). Mixed-script words have their lookalikes mapped to the word's main script
/// (TR39 confusables for Latin/Cyrillic/Greek, see <see cref="Confusables"/>).</item>
/// <item><see cref="Compact"/> — <see cref="Fold"/> without word boundaries: "백 광순" = "백광순",
/// "Myong-Chol" = "Myong Chol" = "Myongchol".</item>
/// <item><see cref="CrossScript"/> — the cross-script key, compact, ASCII lower case: every script
/// transliterated into Latin (AnyAscii 0.3.3; ISO 9 Cyrillic letters â û ŝ č š ž ê read first), then a
/// romanisation-equivalence folding (<see cref="Phonetic"/>) under which the Korean systems
/// (McCune-Reischauer, Revised Romanisation, DPRK usage, Hangul via AnyAscii) and the Russian/Ukrainian
/// ones (passport 1997/2013, BGN/PCGN, ISO 9) meet: "조명철" = "Jo Myong Chol" = "Cho Myeong-cheol".</item>
/// <item><see cref="CrossScriptWords"/> — <see cref="CrossScript"/> of each word of <see cref="Fold"/>.</item>
/// </list>
/// All functions are pure and thread-safe, accept null (→ ""), and allocate only their result and a
/// few intermediates (pure ASCII input skips Unicode normalisation). <see cref="Version"/> names the
/// rules: stored keys computed under an older version are rebuilt.
/// </summary>
public static class NameKeys
{
    /// <summary>
    /// The version of these rules. Bump it with any change of an output: stored keys carry the version
    /// they were computed with, and rows of an older version are rebuilt at start.
    /// </summary>
    public const int Version = 4;

    /// <summary>
    /// The storage form of a name or other identity text: NFKC, invisible and format characters removed,
    /// white space (including U+2028/U+2029 and controls) collapsed to single spaces, trimmed. "" for null.
    /// A zero-width non-joiner or joiner between two letters or marks is kept: it is spelling in Persian, Kurdish and
    /// the Indic scripts ("مهدی‌زاده" with its ZWNJ is written otherwise than without; <see cref="TextRules.IsJoinerInContext"/>,
    /// RFC 5892 CONTEXTJ). The linkage and search keys drop it, so it changes no key (<see cref="Fold"/> and the others drop format characters).
    /// </summary>
    public static string Clean(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return "";
        }

        var text = IsAscii(raw) ? raw : raw.Normalize(NormalizationForm.FormKC);
        var buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        var length = 0;
        var space = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            // A joiner's context is the text as written (as validation reads it): one beside another format character is dropped.
            if (IsInvisible(ch) && !TextRules.IsJoinerInContext(ch, text.AsSpan(0, i), text.AsSpan(i + 1)))
            {
                continue;
            }

            // Outside the BMP a character is two UTF-16 units: tag characters (U+E0000-E007F, category Cf) and the
            // variation selectors supplement (U+E0100-E01EF) are invisible too.
            if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = new Rune(ch, text[i + 1]);
                if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format || rune.Value is >= 0xE0100 and <= 0xE01EF)
                {
                    i++;
                    continue;
                }
            }

            if (char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is '\u2028' or '\u2029')
            {
                space = length > 0;
                continue;
            }

            if (space)
            {
                buffer[length++] = ' ';
                space = false;
            }

            buffer[length++] = ch;
        }

        var cleaned = buffer[..length];
        return cleaned.SequenceEqual(raw) ? raw : new string(cleaned);
    }

    /// <summary>
    /// Whether the text has at least one letter (Unicode category L* other than Lm) — a name must have one. Modifier
    /// letters (ʼ U+02BC, ˈ, ʻ) are apostrophes and marks in use, never a name by themselves.
    /// </summary>
    public static bool HasLetter(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetter(rune) && Rune.GetUnicodeCategory(rune) != System.Globalization.UnicodeCategory.ModifierLetter)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Folded words separated by single spaces (see the class summary); "" when nothing is left.</summary>
    public static string Fold(string? text) => FoldCore(text, keepSpaces: true, iso9: false);

    /// <summary><see cref="Fold"/> with the word boundaries removed.</summary>
    public static string Compact(string? text) => FoldCore(text, keepSpaces: false, iso9: false);

    /// <summary>
    /// The cross-script key: compact, ASCII lower-case letters and digits, equal for the usual
    /// romanisations of one name (see <see cref="Phonetic"/>). "" when the text has no letter or digit.
    /// </summary>
    public static string CrossScript(string? text)
    {
        var compact = FoldCore(text, keepSpaces: false, iso9: true);
        return compact.Length == 0 ? "" : Phonetic(Latin(compact));
    }

    /// <summary>
    /// The transliterated compact form a cross-script key is made from (<see cref="CrossScript"/> is
    /// <see cref="Phonetic"/> of it). Per field, so that a person's keys of both name orders are made by
    /// concatenating two of these and folding, without folding and transliterating the names again:
    /// <c>Phonetic(LatinCompact(a) + LatinCompact(b)) == CrossScript(a + " " + b)</c>.
    /// </summary>
    internal static string LatinCompact(string? text)
    {
        var compact = FoldCore(text, keepSpaces: false, iso9: true);
        return compact.Length == 0 ? "" : Latin(compact);
    }

    /// <summary>
    /// The cross-script key of one word read as a Korean surname in its conventional spelling
    /// (<see cref="KoreanSurnames"/>: "Park" → the key of "Pak", "Lee" → of "Ri"); null when the word is none
    /// of them. Name search stores it for the words of a family name and looks up every query word by it too:
    /// a family name only, because the same spellings are given-name syllables in hyphenated or spaced given
    /// names ("Kyŏng-ch'ung", "Jung Il"), which must keep their letter-by-letter key.
    /// </summary>
    public static string? CrossScriptSurname(string? word)
    {
        var latin = LatinCompact(word);
        var conventional = KoreanSurnames.Conventional(latin);
        return ReferenceEquals(conventional, latin) || conventional == latin ? null : Phonetic(conventional);
    }

    /// <summary><see cref="CrossScriptSurname"/> of each word of the text that is a conventional surname spelling.</summary>
    public static IReadOnlyList<string> CrossScriptSurnameWords(string? text)
    {
        var folded = FoldCore(text, keepSpaces: true, iso9: true);
        var words = new List<string>();
        foreach (var range in folded.AsSpan().Split(' '))
        {
            if (CrossScriptSurname(folded[range]) is { Length: > 0 } key)
            {
                words.Add(key);
            }
        }

        return words;
    }

    /// <summary>
    /// The letters a word's cross-script key could begin with had one of its letters after the first been
    /// mistyped: the first letter alone (<see cref="Phonetic"/>), and as the start of the digraphs the folding
    /// reads as one letter (c: ch → j; t: ts → c; y: yo, ye → e; e: eo → o, eu → u; o: oo → u;
    /// i: io, ie → e), with the key's own first letter. "" for a word without a letter or digit.
    /// </summary>
    public static string FirstLetters(string? word)
    {
        var latin = LatinCompact(word);
        if (latin.Length == 0)
        {
            return "";
        }

        var alone = Phonetic(latin[..1]);
        var own = Phonetic(latin);
        var digraphs = latin[0] switch
        {
            'c' => "j",
            't' => "c",
            'y' or 'i' => "e",
            'e' => "ou",
            'o' => "u",
            _ => "",
        };
        return new string($"{(own.Length > 0 ? own[..1] : "")}{(alone.Length > 0 ? alone[..1] : "")}{digraphs}".Distinct().ToArray());
    }

    /// <summary>The cross-script key of each word (as <see cref="Fold"/> splits them), in order, empty words left out.</summary>
    public static IReadOnlyList<string> CrossScriptWords(string? text)
    {
        var folded = FoldCore(text, keepSpaces: true, iso9: true);
        if (folded.Length == 0)
        {
            return [];
        }

        var words = new List<string>(4);
        foreach (var range in folded.AsSpan().Split(' '))
        {
            var key = Phonetic(Latin(folded[range]));
            if (key.Length > 0)
            {
                words.Add(key);
            }
        }

        return words;
    }

    /// <summary>
    /// The cross-script key of one word read with г as "h" (Ukrainian: the national system of 2010 and
    /// BGN/PCGN write г "h", ISO 9 and AnyAscii "g"; Russian г is "g" everywhere): for Cyrillic every г,
    /// for a Latin word every "g" that is neither its first letter nor after "n" or "g" (Korean "-ng"
    /// endings and initials, where g never stands for г). Null when the word has no such letter. Name search only
    /// (stored as extra tokens and looked up as a second key of a query word): the g/h difference cannot be
    /// folded into <see cref="CrossScript"/> without making Korean ㄱ (g/k) and ㅎ (h) one letter, which would cost
    /// duplicate detection its precision.
    /// </summary>
    public static string? CrossScriptUkrainianH(string? word)
    {
        var folded = FoldCore(word, keepSpaces: false, iso9: true);
        if (folded.Length == 0)
        {
            return null;
        }

        var letters = folded.ToCharArray();
        var changed = false;
        for (var i = 0; i < letters.Length; i++)
        {
            if (letters[i] == 'г' || (letters[i] == 'g' && i > 0 && letters[i - 1] is not ('n' or 'g') && IsAsciiLetter(letters[i - 1])))
            {
                letters[i] = 'h';
                changed = true;
            }
        }

        return changed ? Phonetic(Latin(new string(letters))) : null;
    }

    /// <summary><see cref="CrossScriptUkrainianH"/> of each word of the text that has a г or such a "g" (words as <see cref="CrossScriptWords"/> splits them).</summary>
    public static IReadOnlyList<string> CrossScriptUkrainianHWords(string? text)
    {
        var folded = FoldCore(text, keepSpaces: true, iso9: true);
        var words = new List<string>();
        foreach (var range in folded.AsSpan().Split(' '))
        {
            if (CrossScriptUkrainianH(folded[range]) is { Length: > 0 } key)
            {
                words.Add(key);
            }
        }

        return words;
    }

    /// <summary>
    /// The transliterated compact form (as <see cref="LatinCompact"/>) with every Cyrillic г read as "h": how
    /// Ukraine's national system (KMU 2010, the passport's) and BGN/PCGN write г, where ISO 9 and AnyAscii write "g".
    /// Null when the text has no г. Duplicate detection compares and blocks a Cyrillic name by it too
    /// ("Гончаренко" meets "Honcharenko"), and only a Cyrillic one, so Korean ㄱ and ㅎ stay apart (Latin and
    /// Hangul names get no such reading).
    /// </summary>
    internal static string? LatinCompactCyrillicH(string? text)
    {
        var compact = FoldCore(text, keepSpaces: false, iso9: true);
        return compact.Contains('г') ? Latin(compact.Replace('г', 'h')) : null;
    }

    private static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z';

    /// <summary>AnyAscii transliteration of folded text (already lower case, no marks), lower-cased again.</summary>
    private static string Latin(string folded) => IsAscii(folded) ? folded : folded.Transliterate().ToLowerInvariant();

    /// <summary>
    /// The romanisation-equivalence folding of Latin text (ASCII; other characters dropped), applied after
    /// transliteration. Rules, left to right, longest first:
    /// Cyrillic digraphs: shch→sh+j, kh→h (х: passport/BGN "kh", ISO 9 "h"), ts/tz→c (ц: ISO 9 "c"),
    /// ch/tch→j (ч, and Korean ㅈ/ㅊ: MR "ch", RR "j"/"ch", DPRK "j"), x→ks;
    /// Korean vowels eo→o (RR "eo" = MR "ŏ"), eu→u (ŭ), oo→u, oe→oi (최 Choe/Choi); io (and so yo) → e
    /// (ё: BGN "Pyotr" = passport "Petr"; Korean "Myong" = "Myeong");
    /// y→i (glides: Yu/Iu, ya/ia; endings -iy/-ii/-y/-yj/-ij all become -i); j after a vowel and not
    /// before one → i (й: Sergej = Sergey); "ie" → e (BGN "Yevgeniy" = passport "Evgenii",
    /// "Andreyev" = "Andreev", ISO 9 "Êvgeníâ" = AnyAscii "Evgeniya");
    /// consonant classes where systems differ only in voicing or aspiration: g/k/q→k, d/t→t, b/p→p, and an "h"
/// after t or p dropped (Korean aspirates: DPRK "Thae", "Phyo" = MR "T'ae", "P'yo" = RR "Tae", "Pyo"),
    /// r/l→l (Korean ㄹ: DPRK "Ri" = AnyAscii 리 "Li"), ck→k, "shi"→"si" (MR 신 "Shin" = RR "Sin");
    /// then every run of one letter becomes one (Korean tense consonants, "ii" of endings).
    /// Korean surnames in their conventional spellings ("Park", "Lee", "Ahn" ...) are not letter rules: name
    /// search reads them with <see cref="CrossScriptSurname"/>.
    /// Known gaps: Ukrainian г written "h" (passport) against "g" (ISO 9, AnyAscii), which name search bridges
    /// with a second key (<see cref="CrossScriptUkrainianH"/>); DPRK "kh" for ㅋ reads as х ("h");
    /// Arabic script against an English spelling with vowels (AnyAscii writes no short vowels).
    /// </summary>
    public static string Phonetic(string latin)
    {
        var s = latin.AsSpan();
        var output = s.Length <= 128 ? stackalloc char[s.Length * 2 + 2] : new char[s.Length * 2 + 2];
        var length = 0;

        void Emit(Span<char> o, ref int n, char c)
        {
            if (c == 'e')
            {
                // "ie" is a glide before e, written or not: BGN "Yevgeniy" = passport "Evgenii", "Andreyev" = "Andreev".
                if (n > 0 && o[n - 1] == 'i')
                {
                    n--;
                }

                // 최 is "Choe" (MR, RR) and "Choi"; "Tsoi" = ISO 9 "Coj".
                if (n > 0 && o[n - 1] == 'o')
                {
                    c = 'i';
                }
            }

            // "io" is ё written "yo"/"ë" (BGN/PCGN, ISO 9) or "e" (passport): Pyotr = Petr, Fyodor = Fedor.
            // Korean yŏ/yo fold with it ("Myong" = "Myeong"), consistently for every system.
            if (c == 'o' && n > 0 && o[n - 1] == 'i')
            {
                n--;
                c = 'e';
            }

            // Aspirated t and p: DPRK "th"/"ph" (태 "Thae"), McCune-Reischauer "t'"/"p'" (apostrophe already gone),
            // Revised "t"/"p". A Cyrillic т or п before х reads the same in every system ("tkh", "th").
            if (c == 'h' && n > 0 && o[n - 1] is 't' or 'p')
            {
                return;
            }

            if (n > 0 && o[n - 1] == c)
            {
                return;
            }

            o[n++] = c;
        }

        var i = 0;
        while (i < s.Length)
        {
            var c = char.ToLowerInvariant(s[i]);
            var n1 = i + 1 < s.Length ? char.ToLowerInvariant(s[i + 1]) : '\0';
            var n2 = i + 2 < s.Length ? char.ToLowerInvariant(s[i + 2]) : '\0';
            var n3 = i + 3 < s.Length ? char.ToLowerInvariant(s[i + 3]) : '\0';
            switch (c)
            {
                case 's' when n1 == 'h' && n2 == 'c' && n3 == 'h':
                    Emit(output, ref length, 's');
                    Emit(output, ref length, 'h');
                    Emit(output, ref length, 'j');
                    i += 4;
                    continue;
                case 's' when n1 == 'h' && (n2 == 'i' || n2 == 'y'):
                    Emit(output, ref length, 's');
                    i += 2;
                    continue;
                case 't' when n1 == 'c' && n2 == 'h':
                    Emit(output, ref length, 'j');
                    i += 3;
                    continue;
                case 'c' when n1 == 'h':
                    Emit(output, ref length, 'j');
                    i += 2;
                    continue;
                case 'k' when n1 == 'h':
                    Emit(output, ref length, 'h');
                    i += 2;
                    continue;
                case 't' when n1 is 's' or 'z':
                    Emit(output, ref length, 'c');
                    i += 2;
                    continue;
                case 'c' when n1 == 'k':
                    Emit(output, ref length, 'k');
                    i += 2;
                    continue;
                case 'e' when n1 == 'o':
                    Emit(output, ref length, 'o');
                    i += 2;
                    continue;
                case 'e' when n1 == 'u':
                    Emit(output, ref length, 'u');
                    i += 2;
                    continue;
                case 'o' when n1 == 'o':
                    Emit(output, ref length, 'u');
                    i += 2;
                    continue;
                case 'x':
                    Emit(output, ref length, 'k');
                    Emit(output, ref length, 's');
                    break;
                case 'y':
                    Emit(output, ref length, 'i');
                    break;
                case 'j':
                    Emit(output, ref length, length > 0 && IsVowel(output[length - 1]) && !IsVowel(n1) ? 'i' : 'j');
                    break;
                case 'g' or 'k' or 'q':
                    Emit(output, ref length, 'k');
                    break;
                case 'd' or 't':
                    Emit(output, ref length, 't');
                    break;
                case 'b' or 'p':
                    Emit(output, ref length, 'p');
                    break;
                case 'r' or 'l':
                    Emit(output, ref length, 'l');
                    break;
                case >= 'a' and <= 'z' or >= '0' and <= '9':
                    Emit(output, ref length, c);
                    break;
            }

            i++;
        }

        return new string(output[..length]);
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    private static string FoldCore(string? text, bool keepSpaces, bool iso9)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        // NFKD splits marks off their letters (they are dropped below) and folds compatibility forms
        // (full-width letters, Arabic presentation forms, ligatures); NFC at the end puts Hangul jamo
        // back into syllables.
        var ascii = IsAscii(text);
        var source = ascii ? text : text.Normalize(NormalizationForm.FormKD);
        var capacity = source.Length * 2 + 4;
        var buffer = capacity <= 512 ? stackalloc char[capacity] : new char[capacity];
        var length = 0;
        var space = false;
        for (var i = 0; i < source.Length; i++)
        {
            var ch = source[i];
            if (IsInvisible(ch) || ch == '\u0640' || IsApostrophe(ch))
            {
                continue;
            }

            if (char.IsSurrogate(ch))
            {
                // Letters outside the BMP are kept as they are; anything else there is a boundary.
                if (char.IsHighSurrogate(ch) && i + 1 < source.Length && Rune.IsLetter(new Rune(ch, source[i + 1])))
                {
                    AppendSpace(buffer, ref length, ref space);
                    buffer[length++] = ch;
                    buffer[length++] = source[++i];
                }
                else
                {
                    space = true;
                }

                continue;
            }

            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark)
            {
                continue;
            }

            if (!char.IsLetterOrDigit(ch))
            {
                space = true;
                continue;
            }

            AppendSpace(buffer, ref length, ref space);
            var lower = char.ToLowerInvariant(ch);
            var next = i + 1 < source.Length ? source[i + 1] : '\0';
            if (iso9 && next is '\u0302' or '\u030C' && Iso9(lower, next) is { } iso)
            {
                foreach (var c in iso)
                {
                    buffer[length++] = c;
                }

                i++;
                continue;
            }

            if (ScriptFold(lower) is { } folded)
            {
                foreach (var c in folded)
                {
                    buffer[length++] = c;
                }

                continue;
            }

            buffer[length++] = lower;
        }

        if (length == 0)
        {
            return "";
        }

        var words = buffer[..length];
        if (!ascii)
        {
            Confusables.ToMainScript(words);
        }

        string result;
        if (keepSpaces)
        {
            result = new string(words);
        }
        else
        {
            var compact = 0;
            for (var i = 0; i < words.Length; i++)
            {
                if (words[i] != ' ')
                {
                    words[compact++] = words[i];
                }
            }

            result = new string(words[..compact]);
        }

        return ascii ? result : result.Normalize(NormalizationForm.FormC);

        static void AppendSpace(Span<char> b, ref int n, ref bool pending)
        {
            if (pending && n > 0)
            {
                b[n++] = ' ';
            }

            pending = false;
        }
    }

    /// <summary>ISO 9 letters read as the passport systems write them (â = я, û = ю, ŝ = щ, č = ч, š = ш, ž = ж, ê = є).</summary>
    private static string? Iso9(char letter, char mark) => (letter, mark) switch
    {
        ('a', '\u0302') => "ya",
        ('u', '\u0302') => "yu",
        ('e', '\u0302') => "ye",
        ('s', '\u0302') => "shch",
        ('c', '\u030C') => "ch",
        ('s', '\u030C') => "sh",
        ('z', '\u030C') => "zh",
        _ => null,
    };

    /// <summary>Letters that are one letter for a name but do not decompose in Unicode; null when none applies.</summary>
    private static string? ScriptFold(char c) => c switch
    {
        'ß' => "ss",
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'đ' or 'ð' => "d",
        'ł' => "l",
        'ı' => "i",
        'þ' => "th",
        'ħ' => "h",
        'ґ' => "г",
        'є' => "е",
        'ς' => "σ",
        '\u0671' => "\u0627", // alef wasla → alef (hamza carriers decompose under NFKD already)
        '\u0629' => "\u0647", // ta marbuta → heh
        '\u0649' => "\u064A", // alef maqsura → yeh
        '\u06CC' => "\u064A", // Farsi yeh → yeh
        '\u06A9' => "\u0643", // keheh → kaf
        '\u0621' => "",       // a bare hamza is written or left out
        _ => null,
    };

    /// <summary>
    /// Characters that show nothing: format characters (Cf: zero-width space/non-joiner/joiner, word
    /// joiner, BOM, soft hyphen, bidi controls, Mongolian vowel separator ...), the combining grapheme
    /// joiner, variation selectors and the Hangul fillers.
    /// </summary>
    private static bool IsInvisible(char ch) =>
        ch is '\u034F' or '\u115F' or '\u1160' or '\u3164' or '\uFFA0' or '\u17B4' or '\u17B5' or '\u2800' or (>= '\uFE00' and <= '\uFE0F')
        || (ch > '\u007F' && CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.Format);

    private static bool IsApostrophe(char ch) =>
        ch is '\'' or '`' or '\u2018' or '\u2019' or '\u02BC' or '\u02BB' or '\u02B9' or '\u02BA' or '\u2032' or '\u2033' or '\u00B4';

    private static bool IsAscii(string text)
    {
        foreach (var ch in text)
        {
            if (ch > '\u007F')
            {
                return false;
            }
        }

        return true;
    }
}
