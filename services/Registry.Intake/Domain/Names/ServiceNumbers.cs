using System.Globalization;
using System.Text;

namespace Registry.Intake.Domain.Names;

/// <summary>
/// Service numbers (GC III Art. 17: "army, regimental, personal or serial number") as compared: one
/// number however it was typed, and placeholders that are not numbers at all.
/// <para>
/// <see cref="Normalise"/>: NFKC (full-width digits), letters and digits only (spaces, hyphens, slashes
/// and dots dropped), digits of every script as ASCII digits, upper case, Cyrillic and Greek letters that
/// look like Latin ones as those (А В Е К М Н О Р С Т Х У І Ј Ѕ; Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ: a number
/// copied from a Cyrillic form is the same number), and the letters that are read for digits on
/// handwritten or typed forms as those digits: O→0, I and L→1. Two numbers that differ only there are
/// one number far more often than two soldiers' numbers differ in only that; S/5, B/8, Z/2 are kept.
/// </para>
/// <para>
/// <see cref="IsPlaceholder"/>: what stands in for an unknown number rather than being one — refused at
/// input (INVALID_ARGUMENT on service_number: leave the field empty instead), and never a key for
/// duplicate detection on a record stored before the rule: no digit at all ("N/A", "unknown", "none",
/// "нет", "невідомо", "없음", "-", "?" in any language), one digit repeated ("0", "000", "9999"), or a
/// run of the counting sequence of three or more ("123", "123456789").
/// </para>
/// </summary>
public static class ServiceNumbers
{
    private const string Lookalikes = "АВЕКМНОРСТХУІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧ";
    private const string LatinOf = "ABEKMHOPCTXYIJSABEZHIKMNOPTYX";

    /// <summary>The number in its compared form (see the class summary); "" when it has no letter or digit.</summary>
    public static string Normalise(string? number)
    {
        if (string.IsNullOrEmpty(number))
        {
            return "";
        }

        var text = number.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (char.IsDigit(ch))
            {
                builder.Append((char)('0' + CharUnicodeInfo.GetDecimalDigitValue(ch)));
                continue;
            }

            if (!char.IsLetter(ch))
            {
                continue;
            }

            var upper = char.ToUpperInvariant(ch);
            var at = Lookalikes.IndexOf(upper);
            var latin = at >= 0 ? LatinOf[at] : upper;
            builder.Append(latin switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                _ => latin,
            });
        }

        return builder.ToString();
    }

    /// <summary>Whether the text stands in for an unknown number (see the class summary); false for empty text.</summary>
    public static bool IsPlaceholder(string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return false;
        }

        // Read the digits as written (before O→0, I→1): "NONE" and "NIL" have no digit.
        var digits = new StringBuilder();
        foreach (var ch in number.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsDigit(ch))
            {
                digits.Append((char)('0' + CharUnicodeInfo.GetDecimalDigitValue(ch)));
            }
        }

        if (digits.Length == 0)
        {
            return true;
        }

        var key = Normalise(number);
        if (key.All(c => c == key[0]))
        {
            return true;
        }

        return key.All(char.IsAsciiDigit) && key.Length >= 3 && ("0123456789".Contains(key) || "9876543210".Contains(key));
    }

    /// <summary>The key duplicate detection and search compare: the normalised number, or null when there is none or it is a placeholder.</summary>
    public static string? Key(string? number) =>
        IsPlaceholder(number) ? null : Normalise(number) is { Length: > 0 } key ? key : null;
}
