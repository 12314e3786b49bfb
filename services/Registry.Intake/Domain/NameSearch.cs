using System.Globalization;
using System.Text;

namespace Registry.Intake.Domain;

/// <summary>
/// The form names are searched in: lower case, diacritics stripped, Hangul kept as it is written.
/// Computed here rather than in the database, so that every store (PostgreSQL with a trigram index,
/// or a plain LIKE elsewhere) searches the same text.
/// </summary>
public static class NameSearch
{
    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        // FormD splits "é" into "e" + a combining mark; Hangul syllables would split into jamo, so they
        // are kept whole and only Latin-like letters are decomposed.
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (ch is >= '\uAC00' and <= '\uD7A3')
            {
                builder.Append(ch);
                continue;
            }

            foreach (var part in ch.ToString().Normalize(NormalizationForm.FormD))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(part);
                if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                {
                    continue;
                }

                builder.Append(char.IsLetterOrDigit(part) ? char.ToLowerInvariant(part) : ' ');
            }
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Normalize(NormalizationForm.FormC);
    }

    /// <summary>The names in the original script (family, then given), as duplicate detection compares them.</summary>
    public static string OriginalScript(PersonIdentity identity) => Normalise($"{identity.FamilyName} {identity.GivenNames}");

    /// <summary>The names in Latin transliteration (family, then given), as duplicate detection compares them.</summary>
    public static string Latin(PersonIdentity identity) => Normalise($"{identity.FamilyNameLatin} {identity.GivenNamesLatin}");

    /// <summary>Everything a name search matches on: the names in both scripts.</summary>
    public static string For(PersonIdentity identity) =>
        Normalise(string.Join(' ', identity.FamilyName, identity.GivenNames, identity.FamilyNameLatin, identity.GivenNamesLatin));
}
