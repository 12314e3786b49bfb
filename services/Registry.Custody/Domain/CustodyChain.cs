using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Registry.ServiceDefaults.Validation;

namespace Registry.Custody.Domain;

/// <summary>
/// The hash that chains a custody event to the one before, as the contract (custody.proto, CustodyEvent)
/// spells it out, so that an auditor can recompute it from the timeline alone. Each field is one line of the hashed
/// text, so no field may hold a line break of any kind (<see cref="TextRules.LineBreaks"/>, not only LF): the
/// validators refuse them at input, and <see cref="Hash"/> refuses to hash a field that holds one.
/// </summary>
public static class CustodyChain
{
    /// <exception cref="ArgumentException">A field holds a line or paragraph separator.</exception>
    public static string Hash(CustodyEvent e)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(e))
        {
            if (TextRules.HasLineBreak(line))
            {
                throw new ArgumentException($"A field of custody event {e.Sequence} of case {e.CaseId} holds a line break; the chain hashes one field per line.", nameof(e));
            }

            text.Append(line).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Whether a case's events, in sequence order, form an unbroken chain.</summary>
    public static bool Verify(IReadOnlyList<CustodyEvent> events)
    {
        var previous = "";
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Sequence != i + 1 || e.PreviousHash != previous || Lines(e).Any(TextRules.HasLineBreak) || Hash(e) != e.Hash)
            {
                return false;
            }

            previous = e.Hash;
        }

        return true;
    }

    private static IEnumerable<string> Lines(CustodyEvent e) =>
    [
        e.PreviousHash,
        e.CaseId.ToString(),
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.Kind.ToString().ToUpperSnake(),
        e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        e.RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        e.FacilityName ?? "",
        e.FacilityLocality ?? "",
        e.FacilityCountry ?? "",
        e.CustodianAgency,
        e.Note ?? "",
    ];

    private static string ToUpperSnake(this string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
