namespace Registry.ServiceDefaults.Validation;

/// <summary>What stored free text may hold (the validators' <c>FieldViolations.Text</c> and the custody chain share it).</summary>
public static class TextRules
{
    /// <summary>
    /// Every character that ends a line: the mandatory breaks of Unicode UAX #14 (BK, CR, LF, NL), i.e. LF, VT, FF,
    /// CR, NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029). Stored text is one line: the custody
    /// timeline hashes its fields one per line (<c>CustodyChain</c>), so a break inside a field would let two different
    /// timelines hash alike, and an export splits records by line.
    /// </summary>
    public const string LineBreaks = "\n\u000B\f\r\u0085\u2028\u2029";

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="maxLength"/> UTF-16 units (so it fits a <c>varchar(maxLength)</c>
    /// column, which counts code points, never more), never between the two halves of a surrogate pair: a lone surrogate is
    /// not UTF-8 and the database would refuse the row. With <paramref name="ellipsis"/>, a cut text ends in "…" within the length.
    /// </summary>
    public static string Cut(string text, int maxLength, bool ellipsis = false)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var end = ellipsis ? maxLength - 1 : maxLength;
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return ellipsis ? string.Concat(text.AsSpan(0, end), "…") : text[..end];
    }

    /// <summary>Whether <paramref name="text"/> holds any of <see cref="LineBreaks"/>.</summary>
    public static bool HasLineBreak(string? text) => text is not null && text.AsSpan().IndexOfAny(LineBreaks) >= 0;

    /// <summary>
    /// The first invisible format character of <paramref name="text"/> (Unicode general category Cf, in any plane:
    /// zero-width space, word joiner, BOM, soft hyphen, bidi embeddings, overrides and isolates, tag characters), or null
    /// when none. Other invisible spaces (U+3000, U+202F) are spaces and NFKC makes them so. A zero-width non-joiner or
    /// joiner (U+200C, U+200D) between two letters or marks is not counted: Persian, Kurdish and the Indic scripts spell
    /// with them (the place "خرم‌آباد" holds a ZWNJ), as RFC 5892's CONTEXTJ rules allow them in context; anywhere else
    /// (at an end, beside a space or another format character) they only make two texts that look alike differ.
    /// Returns the character and its UTF-16 index.
    /// </summary>
    public static (System.Text.Rune Rune, int Index)? FirstFormatCharacter(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            System.Text.Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            if (System.Text.Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.Format
                && !IsJoinerInContext(rune.Value, text.AsSpan(0, i), text.AsSpan(i + used)))
            {
                return (rune, i);
            }

            i += used;
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="codePoint"/> is a zero-width non-joiner or joiner (U+200C, U+200D) that spells: between a
    /// letter or mark that ends <paramref name="before"/> and one that starts <paramref name="after"/> (RFC 5892's CONTEXTJ
    /// rules, as Persian, Kurdish and the Indic scripts use them).
    /// </summary>
    public static bool IsJoinerInContext(int codePoint, ReadOnlySpan<char> before, ReadOnlySpan<char> after) =>
        codePoint is 0x200C or 0x200D && LetterOrMarkEnds(before) && LetterOrMarkStarts(after);

    private static bool LetterOrMarkEnds(ReadOnlySpan<char> text) =>
        System.Text.Rune.DecodeLastFromUtf16(text, out var rune, out var used) == System.Buffers.OperationStatus.Done && used > 0 && IsLetterOrMark(rune);

    private static bool LetterOrMarkStarts(ReadOnlySpan<char> text) =>
        System.Text.Rune.DecodeFromUtf16(text, out var rune, out var used) == System.Buffers.OperationStatus.Done && used > 0 && IsLetterOrMark(rune);

    private static bool IsLetterOrMark(System.Text.Rune rune) =>
        System.Text.Rune.IsLetter(rune) || System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark or System.Globalization.UnicodeCategory.EnclosingMark;
}
