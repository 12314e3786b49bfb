using Microsoft.Extensions.Caching.Memory;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Domain.Linkage;

/// <summary>
/// The name keys of <see cref="LinkageRecord.Of"/>, remembered by the names they come from. They are a pure function of
/// the four name fields (and of the capture place's text), and they cost most of building a record: about 17 µs of the
/// 28 µs that <c>EarlierCase.ToLinkage</c> took per earlier case read for duplicate detection (docs/performance.md). An
/// import reads the same common names again and again (every later row of a block reads the block's cases), so most
/// lookups are hits. Bounded: at most <see cref="Capacity"/> names (MemoryCache's size limit; when it is reached a
/// part is compacted away in the background), a few tens of MB at most, one per process.
/// </summary>
internal static class LinkageKeysMemo
{
    /// <summary>Name combinations kept (each a few hundred bytes of keys).</summary>
    public const int Capacity = 50_000;

    private static readonly MemoryCache Memo = new(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.25 });

    private sealed record NamesKey(string? Family, string? Given, string? FamilyLatin, string? GivenLatin);

    private sealed record PlaceKey(string? Place);

    /// <summary>The person's name keys and the name part of their blocking keys (<see cref="CaseBlockingKeys.Of"/> for the birth year given).</summary>
    public static (PersonNameKeys Names, CaseBlockingKeys Keys) For(PersonIdentity identity)
    {
        var key = new NamesKey(identity.FamilyName, identity.GivenNames, identity.FamilyNameLatin, identity.GivenNamesLatin);
        if (!Memo.TryGetValue(key, out (PersonNameKeys Names, CaseBlockingKeys Keys) found))
        {
            var names = new PersonIdentity
            {
                FamilyName = identity.FamilyName, GivenNames = identity.GivenNames,
                FamilyNameLatin = identity.FamilyNameLatin, GivenNamesLatin = identity.GivenNamesLatin,
            };
            found = (PersonNameKeys.Of(names), CaseBlockingKeys.Of(names));
            Memo.Set(key, found, new MemoryCacheEntryOptions { Size = 1 });
        }

        return (found.Names, found.Keys.WithBirthYear(identity.BirthYear));
    }

    /// <summary>The capture place folded as names are (<see cref="NameKeys.Compact"/>).</summary>
    public static string Place(string? place)
    {
        var key = new PlaceKey(place);
        if (!Memo.TryGetValue(key, out string? folded))
        {
            folded = NameKeys.Compact(place);
            Memo.Set(key, folded, new MemoryCacheEntryOptions { Size = 1 });
        }

        return folded!;
    }
}
