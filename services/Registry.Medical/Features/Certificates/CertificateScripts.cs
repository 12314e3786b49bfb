using System.Text;

namespace Registry.Medical.Features.Certificates;

/// <summary>
/// Which characters a certificate prints, and with which of its two fonts (<see cref="CertificateFonts"/>). PDFsharp 6.2
/// draws text glyph by glyph, left to right, without shaping (no OpenType GSUB/GPOS, no bidirectional reordering, UAX #9),
/// and does not expose a font's character map. So a character prints correctly when (1) its Unicode block is one of
/// <see cref="Blocks"/>: scripts written left to right whose letters need no shaping (Latin, Greek, Cyrillic, Armenian,
/// Georgian, symbols: DejaVu Sans; Hangul, CJK ideographs, kana: Nanum Gothic); and (2) that font's file has a glyph for
/// it, read from the file's own 'cmap' table (with PdfPig's TrueType parser) when the file is installed (when it is
/// not, the block decides, and the render answers FONT_MISSING until it is). Right-to-left scripts (Hebrew, Arabic, ...;
/// Bidi_Class R/AL, <see cref="RightToLeft"/>) are refused although DejaVu has glyphs for some: they would print reversed.
/// Everything else (Devanagari, Thai, emoji, ...) is refused: neither font has it, or it needs shaping.
/// </summary>
public static class CertificateScripts
{
    /// <summary>The blocks printed, each with the face that draws it (true: Nanum Gothic, false: DejaVu Sans).</summary>
    public static readonly IReadOnlyList<(int First, int Last, bool Hangul, string Name)> Blocks =
    [
        (0x0020, 0x007E, false, "Basic Latin"),
        (0x00A0, 0x036F, false, "Latin-1, Latin Extended-A/B, IPA, spacing modifiers, combining diacritical marks"),
        (0x0370, 0x03FF, false, "Greek and Coptic"),
        (0x0400, 0x052F, false, "Cyrillic, Cyrillic Supplement"),
        (0x0530, 0x058F, false, "Armenian"),
        (0x10A0, 0x10FF, false, "Georgian"),
        (0x1100, 0x11FF, true, "Hangul Jamo"),
        (0x1C80, 0x1C8F, false, "Cyrillic Extended-C"),
        (0x1D00, 0x1DFF, false, "Phonetic Extensions, combining diacritical marks supplement"),
        (0x1E00, 0x1FFF, false, "Latin Extended Additional, Greek Extended"),
        (0x2000, 0x2BFF, false, "punctuation, super- and subscripts, currency, letterlike, number forms, arrows, mathematical and technical symbols, shapes, dingbats"),
        (0x2C60, 0x2C7F, false, "Latin Extended-C"),
        (0x2DE0, 0x2DFF, false, "Cyrillic Extended-A"),
        (0x2E80, 0x2FDF, true, "CJK radicals, Kangxi radicals"),
        (0x3000, 0x33FF, true, "CJK symbols and punctuation, Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, enclosed CJK, CJK compatibility"),
        (0x3400, 0x4DBF, true, "CJK Unified Ideographs Extension A"),
        (0x4E00, 0x9FFF, true, "CJK Unified Ideographs"),
        (0xA640, 0xA69F, false, "Cyrillic Extended-B"),
        (0xA700, 0xA7FF, false, "Modifier tone letters, Latin Extended-D"),
        (0xA960, 0xA97F, true, "Hangul Jamo Extended-A"),
        (0xAC00, 0xD7FF, true, "Hangul Syllables, Hangul Jamo Extended-B"),
        (0xF900, 0xFAFF, true, "CJK Compatibility Ideographs"),
        (0xFB00, 0xFB06, false, "Latin ligatures"),
        (0xFF00, 0xFFEF, true, "Halfwidth and Fullwidth Forms"),
        (0x20000, 0x3FFFF, true, "CJK Unified Ideographs Extensions B and later"),
    ];

    /// <summary>Blocks of right-to-left scripts (their letters are Bidi_Class R or AL, Unicode UAX #9).</summary>
    public static readonly IReadOnlyList<(int First, int Last, string Name)> RightToLeft =
    [
        (0x0590, 0x05FF, "Hebrew"), (0x0600, 0x06FF, "Arabic"), (0x0700, 0x074F, "Syriac"), (0x0750, 0x077F, "Arabic"),
        (0x0780, 0x07BF, "Thaana"), (0x07C0, 0x07FF, "N'Ko"), (0x0800, 0x083F, "Samaritan"), (0x0840, 0x085F, "Mandaic"),
        (0x0860, 0x086F, "Syriac"), (0x0870, 0x08FF, "Arabic"), (0xFB1D, 0xFB4F, "Hebrew"), (0xFB50, 0xFDFF, "Arabic"),
        (0xFE70, 0xFEFF, "Arabic"), (0x10800, 0x10FFF, "a right-to-left historic script"), (0x1E800, 0x1EFFF, "Adlam, Mende Kikakui or Arabic mathematical"),
    ];

    /// <summary>The face that draws <paramref name="rune"/>: Nanum Gothic for Hangul and CJK, DejaVu Sans for the rest (also for what is not printed).</summary>
    public static bool IsHangulFace(Rune rune) => BlockOf(rune) is { Hangul: true };

    public static (int First, int Last, bool Hangul, string Name)? BlockOf(Rune rune)
    {
        foreach (var block in Blocks)
        {
            if (rune.Value >= block.First && rune.Value <= block.Last)
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="text"/> cannot be printed, naming its first such character ("contains U+05D1 'ב' at 10, ...",
    /// the index in UTF-16 code units as elsewhere in the field violations); null when it all can. <paramref name="hasGlyph"/>
    /// tells whether a face's font has a glyph for a character (null: not known, the font is not installed).
    /// </summary>
    public static string? Unprintable(string text, Func<bool, Rune, bool?> hasGlyph)
    {
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var at = $"contains U+{rune.Value:X4} '{rune}' at {index}";
            foreach (var (first, last, name) in RightToLeft)
            {
                if (rune.Value >= first && rune.Value <= last)
                {
                    return $"{at}, which the certificate cannot print: {name} is written right to left, and the certificate prints text left to right only";
                }
            }

            if (BlockOf(rune) is not { } block || hasGlyph(block.Hangul, rune) == false)
            {
                return $"{at}, which the certificate cannot print: its fonts (DejaVu Sans, Nanum Gothic) have no glyph for it, or its script needs shaping they lack";
            }

            index += rune.Utf16SequenceLength;
        }

        return null;
    }
}
