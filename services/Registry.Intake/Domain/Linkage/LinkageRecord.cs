using Registry.Intake.Domain.Names;

namespace Registry.Intake.Domain.Linkage;

/// <summary>
/// A case as record linkage compares it: its name keys (<see cref="PersonNameKeys"/>), birth date (partial
/// or unknown), nationality, service-number key (null when none or a placeholder), capture place (folded)
/// and capture instant. Built by one function (<see cref="Of"/>) for the service and the benchmark alike.
/// The name keys and the blocking keys, the costly part (folding and transliterating each name several times),
/// are built on first use: duplicate detection reads many earlier cases whose names it never compares, since
/// their other fields already rule them out (<see cref="LinkageModel.ScoreIfCandidate"/>).
/// </summary>
public sealed class LinkageRecord
{
    // A copy of what the keys are built from (names, birth year): a later change of the identity does not reach them.
    private readonly PersonIdentity _source;
    private PersonNameKeys? _names;
    private CaseBlockingKeys? _keys;

    private LinkageRecord(PersonIdentity identity) => _source = new PersonIdentity
    {
        FamilyName = identity.FamilyName, GivenNames = identity.GivenNames,
        FamilyNameLatin = identity.FamilyNameLatin, GivenNamesLatin = identity.GivenNamesLatin, BirthYear = identity.BirthYear,
    };

    /// <summary>Registration order (the case number): the frequency window and the order of candidates read it.</summary>
    public required long Number { get; init; }
    /// <summary>The name keys (<see cref="PersonNameKeys.Of(PersonIdentity)"/>), built on first use.</summary>
    public PersonNameKeys Names => _names ??= PersonNameKeys.Of(_source);
    /// <summary>Whether <see cref="Names"/> has been built (tests of what scoring skips).</summary>
    internal bool NamesBuilt => _names is not null;
    /// <summary>The blocking keys (<see cref="CaseBlockingKeys.Of"/>, or the ones stored with the case when given to <see cref="Of"/>), built on first use.</summary>
    public CaseBlockingKeys Keys => _keys ??= CaseBlockingKeys.Of(_source);
    /// <summary>Whether <see cref="Keys"/> were given or have been built (tests of what the batch reads).</summary>
    internal bool KeysKnown => _keys is not null;
    public PartialDate? Birth { get; init; }
    public string? Nationality { get; init; }
    public string? ServiceNumberKey { get; init; }
    /// <summary>The capture place folded as names are (<see cref="NameKeys.Compact"/>); "" when none.</summary>
    public required string PlaceKey { get; init; }
    /// <summary>When the person was captured; null when not compared (identities alone).</summary>
    public required DateTimeOffset? CapturedAt { get; init; }

    /// <summary>
    /// The record of a person with these identity facts, captured there and then (place and time null: not compared).
    /// <paramref name="storedKeys"/>: the case's blocking keys as stored, when they are of the current
    /// <see cref="NameKeys.Version"/> (they are then what <see cref="CaseBlockingKeys.Of"/> would compute); null to compute them.
    /// </summary>
    public static LinkageRecord Of(long number, PersonIdentity identity, string? capturePlace, DateTimeOffset? capturedAt,
        CaseBlockingKeys? storedKeys = null) => new(identity)
    {
        Number = number,
        _keys = storedKeys,
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

    /// <summary>Keys as stored with a case (its "Linkage*" columns), of the current <see cref="NameKeys.Version"/>: what <see cref="Of"/> computed then.</summary>
    public static CaseBlockingKeys Stored(string? familyKey, string? givenKey, string? fullKey, string? fullKeyLatin,
        string? familyBlock, string? givenBlock, int? birthYear) => new()
    {
        FamilyKey = familyKey, GivenKey = givenKey, FullKey = fullKey, FullKeyLatin = fullKeyLatin,
        FamilyBlock = familyBlock, GivenBlock = givenBlock, BirthYear = birthYear,
    };

    /// <summary>
    /// A name key as stored: at most <see cref="KeyMaxLength"/> - 2 characters (a block adds "/" and an initial). Keys are
    /// ASCII (<see cref="NameKeys.CrossScript"/>); a name of some hundreds of Han or Hangul characters makes a longer one.
    /// <see cref="BlockingQuery.For"/> cuts its keys the same way, so such names still find each other.
    /// </summary>
    public static string Cut(string key) => key.Length <= KeyMaxLength - 2 ? key : key[..(KeyMaxLength - 2)];

    public static CaseBlockingKeys Of(PersonIdentity identity)
    {
        static string? Key(string? text) => NameKeys.CrossScript(text) is { Length: > 0 } key ? Cut(key) : null;

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
