using Registry.Intake.Domain.Names;

namespace Registry.Intake.Domain.Linkage;

/// <summary>
/// A case as record linkage compares it: its name keys (<see cref="PersonNameKeys"/>), birth date (partial
/// or unknown), nationality, service-number key (null when none or a placeholder), capture place (folded)
/// and capture instant. Built by one function (<see cref="Of"/>) for the service and the benchmark alike.
/// </summary>
public sealed class LinkageRecord
{
    /// <summary>Registration order (the case number): the frequency window and the order of candidates read it.</summary>
    public required long Number { get; init; }
    public required PersonNameKeys Names { get; init; }
    public required CaseBlockingKeys Keys { get; init; }
    public PartialDate? Birth { get; init; }
    public string? Nationality { get; init; }
    public string? ServiceNumberKey { get; init; }
    /// <summary>The capture place folded as names are (<see cref="NameKeys.Compact"/>); "" when none.</summary>
    public required string PlaceKey { get; init; }
    /// <summary>When the person was captured; null when not compared (identities alone).</summary>
    public required DateTimeOffset? CapturedAt { get; init; }

    /// <summary>The record of a person with these identity facts, captured there and then (place and time null: not compared).</summary>
    public static LinkageRecord Of(long number, PersonIdentity identity, string? capturePlace, DateTimeOffset? capturedAt) => new()
    {
        Number = number,
        Names = PersonNameKeys.Of(identity),
        Keys = CaseBlockingKeys.Of(identity),
        Birth = identity.DateOfBirth,
        Nationality = string.IsNullOrEmpty(identity.Nationality) ? null : identity.Nationality,
        ServiceNumberKey = ServiceNumberKeyOf(identity.ServiceNumber),
        PlaceKey = NameKeys.Compact(capturePlace),
        CapturedAt = capturedAt,
    };

    /// <summary>
    /// The service number's key (<see cref="ServiceNumbers.Key"/>: one number however it was typed), or null
    /// when there is none or it identifies no one (a placeholder such as "N/A", "unknown", "-" or "000"). Two
    /// placeholders never agree.
    /// </summary>
    public static string? ServiceNumberKeyOf(string? raw) => ServiceNumbers.Key(raw);
}

/// <summary>
/// The keys blocking looks cases up by, stored on each case (columns "Linkage*", indexed) and computed by
/// <see cref="Of"/> alone, so the database and the benchmark's in-memory index select the same pairs.
/// All are <see cref="NameKeys.CrossScript"/> keys: equal for the usual romanisations and the original script.
/// </summary>
public sealed class CaseBlockingKeys
{
    private CaseBlockingKeys()
    {
    }

    public const int KeyMaxLength = 500;

    /// <summary>Family name key (original script when the case has it, else Latin); null when none.</summary>
    public string? FamilyKey { get; private set; }
    /// <summary>Given-name key, as <see cref="FamilyKey"/>.</summary>
    public string? GivenKey { get; private set; }
    /// <summary>Family then given names as one key (original script when the case has it, else Latin); null when no name.</summary>
    public string? FullKey { get; private set; }
    /// <summary>
    /// The same of the Latin names when the case has both scripts; of a Cyrillic name with г and no Latin
    /// spelling, the key of its reading with г as "h" (Ukraine's national system of 2010, the passport's:
    /// <see cref="NameKeys.LatinCompactCyrillicH"/>); else null.
    /// </summary>
    public string? FullKeyLatin { get; private set; }
    /// <summary>Family key and the first letter of the given-name key ("kim/k"): blocks a typo in the rest of the given name.</summary>
    public string? FamilyBlock { get; private set; }
    /// <summary>Given-name key and the first letter of the family key ("kwanksun/p"): blocks a typo or spelling change in the family name.</summary>
    public string? GivenBlock { get; private set; }
    /// <summary>The birth year, copied here so that each block's index can range over it (EF indexes one owned type's columns).</summary>
    public int? BirthYear { get; private set; }

    /// <summary>Whether both hold the same keys (a refresh that changes nothing writes nothing).</summary>
    public bool SameAs(CaseBlockingKeys? other) => other is not null
        && (FamilyKey, GivenKey, FullKey, FullKeyLatin, FamilyBlock, GivenBlock, BirthYear)
        == (other.FamilyKey, other.GivenKey, other.FullKey, other.FullKeyLatin, other.FamilyBlock, other.GivenBlock, other.BirthYear);

    public static CaseBlockingKeys Of(PersonIdentity identity)
    {
        static string? Key(string? text) => NameKeys.CrossScript(text) is { Length: > 0 } key ? Cut(key) : null;
        static string Cut(string key) => key.Length <= KeyMaxLength - 2 ? key : key[..(KeyMaxLength - 2)];

        // A Cyrillic name with г and no Latin spelling: its reading with г as "h" (the Ukrainian passport's), so
        // that a later "Honcharenko Oleh" finds "Гончаренко Олег" by the whole-name rule.
        static string? CyrillicH(string? family, string? given) =>
            NameKeys.LatinCompactCyrillicH(family) is null && NameKeys.LatinCompactCyrillicH(given) is null ? null
            : Key($"{NameKeys.LatinCompactCyrillicH(family) ?? NameKeys.LatinCompact(family)} {NameKeys.LatinCompactCyrillicH(given) ?? NameKeys.LatinCompact(given)}");

        var native = !string.IsNullOrWhiteSpace(identity.FamilyName) || !string.IsNullOrWhiteSpace(identity.GivenNames);
        var latin = !string.IsNullOrWhiteSpace(identity.FamilyNameLatin) || !string.IsNullOrWhiteSpace(identity.GivenNamesLatin);
        var (family, given) = native ? (identity.FamilyName, identity.GivenNames) : (identity.FamilyNameLatin, identity.GivenNamesLatin);
        var familyKey = Key(family);
        var givenKey = Key(given);
        return new CaseBlockingKeys
        {
            FamilyKey = familyKey,
            GivenKey = givenKey,
            FullKey = Key($"{family} {given}"),
            FullKeyLatin = native && latin ? Key($"{identity.FamilyNameLatin} {identity.GivenNamesLatin}") : native ? CyrillicH(family, given) : null,
            FamilyBlock = familyKey is null ? null : $"{familyKey}/{givenKey?[0]}",
            GivenBlock = givenKey is null ? null : $"{givenKey}/{familyKey?[0]}",
            BirthYear = identity.BirthYear,
        };
    }
}
