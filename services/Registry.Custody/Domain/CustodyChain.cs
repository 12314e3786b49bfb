using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Custody.Domain;

/// <summary>
/// The hash that chains a custody event to the one before, as the contract (custody.proto, CustodyEvent)
/// spells it out, so that an auditor can recompute it from the timeline alone.
/// </summary>
public static class CustodyChain
{
    public static string Hash(CustodyEvent e)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(e))
        {
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
            if (e.Sequence != i + 1 || e.PreviousHash != previous || Hash(e) != e.Hash)
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
