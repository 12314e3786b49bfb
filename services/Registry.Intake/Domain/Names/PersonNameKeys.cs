namespace Registry.Intake.Domain.Names;

/// <summary>
/// The name keys of one person (<see cref="NameKeys"/>), from whichever script(s) the record has:
/// <list type="bullet">
/// <item><see cref="Family"/>, <see cref="Given"/>: the distinct <see cref="NameKeys.CrossScript"/> keys
/// of the family / given name fields (original script and Latin), empty when the record has none;</item>
/// <item><see cref="Full"/>: the distinct cross-script keys of family + given, per script, in both orders
/// (so "백광순" typed into one field meets 백 / 광순, and swapped names meet);</item>
/// <item><see cref="Compact"/>: the distinct <see cref="NameKeys.Compact"/> forms of family + given per
/// script (same-script agreement, finer than the cross-script key).</item>
/// <item><see cref="FamilyH"/>, <see cref="GivenH"/>, <see cref="FullH"/>: the keys of Cyrillic fields with г read
/// as "h" (<see cref="NameKeys.LatinCompactCyrillicH"/>: Ukrainian passport "Honcharenko" = "Гончаренко"), empty when
/// no field has a г; duplicate detection compares and blocks by them.</item>
/// </list>
/// Arrays are tiny (one or two entries each), so the <c>Shares*</c> tests are nested loops.
/// </summary>
public sealed class PersonNameKeys
{
    private PersonNameKeys(string[] family, string[] given, string[] full, string[] compact) =>
        (Family, Given, Full, Compact) = (family, given, full, compact);

    public IReadOnlyList<string> FamilyH { get; private init; } = [];
    public IReadOnlyList<string> GivenH { get; private init; } = [];
    public IReadOnlyList<string> FullH { get; private init; } = [];

    public IReadOnlyList<string> Family { get; }
    public IReadOnlyList<string> Given { get; }
    public IReadOnlyList<string> Full { get; }
    public IReadOnlyList<string> Compact { get; }

    /// <summary>No name in any script.</summary>
    public bool IsEmpty => Full.Count == 0;

    public static PersonNameKeys Of(PersonIdentity identity) =>
        Of(identity.FamilyName, identity.GivenNames, identity.FamilyNameLatin, identity.GivenNamesLatin);

    /// <summary>The keys of a person with these names (any may be null or empty).</summary>
    public static PersonNameKeys Of(string? familyName, string? givenNames, string? familyNameLatin, string? givenNamesLatin)
    {
        // Each field is folded and transliterated once; the keys of both orders are folded from those
        // (NameKeys.LatinCompact), which gives what NameKeys.CrossScript of the joined names gives.
        var (f, g, fl, gl) = (NameKeys.LatinCompact(familyName), NameKeys.LatinCompact(givenNames),
            NameKeys.LatinCompact(familyNameLatin), NameKeys.LatinCompact(givenNamesLatin));
        var family = Distinct(NameKeys.Phonetic(f), NameKeys.Phonetic(fl));
        var given = Distinct(NameKeys.Phonetic(g), NameKeys.Phonetic(gl));
        var full = Distinct(NameKeys.Phonetic(f + g), NameKeys.Phonetic(g + f), NameKeys.Phonetic(fl + gl), NameKeys.Phonetic(gl + fl));
        var compact = Distinct(NameKeys.Compact(familyName) + NameKeys.Compact(givenNames),
            NameKeys.Compact(familyNameLatin) + NameKeys.Compact(givenNamesLatin));
        // Ukrainian г: "h" in the passport, "g" in ISO 9 and AnyAscii (NameKeys.LatinCompactCyrillicH).
        var (fh, gh) = (NameKeys.LatinCompactCyrillicH(familyName), NameKeys.LatinCompactCyrillicH(givenNames));
        var (flh, glh) = (NameKeys.LatinCompactCyrillicH(familyNameLatin), NameKeys.LatinCompactCyrillicH(givenNamesLatin));
        var wholeH = new List<string>(4);
        foreach (var (vf, vg, bf, bg) in new[] { (fh, gh, f, g), (flh, glh, fl, gl) })
        {
            if (vf is not null || vg is not null)
            {
                wholeH.Add(NameKeys.Phonetic((vf ?? bf) + (vg ?? bg)));
                wholeH.Add(NameKeys.Phonetic((vg ?? bg) + (vf ?? bf)));
            }
        }

        return new PersonNameKeys(family, given, full, compact)
        {
            FamilyH = Variant(family, fh, flh),
            GivenH = Variant(given, gh, glh),
            FullH = wholeH.Count == 0 ? [] : Distinct([.. wholeH]).Where(v => !full.Contains(v)).ToArray(),
        };
    }

    /// <summary>The keys of the variant forms that are not among the plain keys; empty when none.</summary>
    private static string[] Variant(string[] plain, string? a, string? b)
    {
        if (a is null && b is null)
        {
            return [];
        }

        var keys = Distinct(a is null ? "" : NameKeys.Phonetic(a), b is null ? "" : NameKeys.Phonetic(b));
        return keys.Any(k => plain.Contains(k)) ? keys.Where(k => !plain.Contains(k)).ToArray() : keys;
    }

    /// <summary>Whether any family key of one is a family key of the other.</summary>
    public bool SharesFamily(PersonNameKeys other) => Intersect(Family, other.Family);

    /// <summary>Whether any given-name key of one is a given-name key of the other.</summary>
    public bool SharesGiven(PersonNameKeys other) => Intersect(Given, other.Given);

    /// <summary>Whether the whole names meet across scripts (either order, word boundaries ignored).</summary>
    public bool SharesFull(PersonNameKeys other) => Intersect(Full, other.Full);

    /// <summary>Whether the whole names are the same in one script once folded (word boundaries ignored).</summary>
    public bool SharesCompact(PersonNameKeys other) => Intersect(Compact, other.Compact);

    private static bool Intersect(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                if (x == y)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string[] Distinct(params string[] keys)
    {
        var count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].Length > 0 && Array.IndexOf(keys, keys[i], 0, count) < 0)
            {
                keys[count++] = keys[i];
            }
        }

        return count == keys.Length ? keys : keys[..count];
    }
}
