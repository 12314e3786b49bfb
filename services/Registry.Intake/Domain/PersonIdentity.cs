namespace Registry.Intake.Domain;

/// <summary>
/// The current best value of each identity fact of a case (GC III Art. 17 and 122(4)): the latest
/// assertion of each field. The assertions themselves, with their sources, are kept apart and never
/// changed. Values are in the canonical text form of <see cref="IdentityFields"/>. Only the domain sets
/// them (through <see cref="CaptureCase"/>'s assertions), so no handler can change an identity without
/// recording the assertion and bumping the case's revision.
/// </summary>
public sealed class PersonIdentity
{
    // Field limits, read by the validators and the EF configuration alike.
    public const int NameMaxLength = 200;
    public const int RankMaxLength = 100;
    public const int ServiceNumberMaxLength = 64;
    public const int PlaceOfBirthMaxLength = 200;
    public const int CountryCodeLength = 2;
    public const int SexMaxLength = 10;
    public const int LanguagesMaxLength = 1000;
    public const int MaxLanguages = 20;
    public const int MilitaryUnitMaxLength = 200;
    public const int RoleMaxLength = 200;
    public const int PartialDateMaxLength = 10;
    public const int PersonToInformMaxLength = 200;
    public const int PersonToInformAddressMaxLength = 500;

    public string? FamilyName { get; internal set; }
    public string? GivenNames { get; internal set; }
    public string? FamilyNameLatin { get; internal set; }
    public string? GivenNamesLatin { get; internal set; }
    public string? Rank { get; internal set; }
    public string? ServiceNumber { get; internal set; }
    public int? BirthYear { get; internal set; }
    public int? BirthMonth { get; internal set; }
    public int? BirthDay { get; internal set; }
    public string? PlaceOfBirth { get; internal set; }
    public string? Nationality { get; internal set; }
    public string? DependentPower { get; internal set; }
    public string? Sex { get; internal set; }
    /// <summary>BCP 47 tags, comma-separated.</summary>
    public string? Languages { get; internal set; }
    public string? MilitaryUnit { get; internal set; }
    public string? Role { get; internal set; }
    public string? InServiceSince { get; internal set; }
    public string? FatherFirstName { get; internal set; }
    public string? MotherMaidenName { get; internal set; }
    public string? PersonToInform { get; internal set; }
    public string? PersonToInformAddress { get; internal set; }

    public PartialDate? DateOfBirth
    {
        get => BirthYear is { } year ? new PartialDate(year, BirthMonth, BirthDay) : null;
        internal set => (BirthYear, BirthMonth, BirthDay) = (value?.Year, value?.Month, value?.Day);
    }

    public bool HasName =>
        !string.IsNullOrEmpty(FamilyName) || !string.IsNullOrEmpty(GivenNames)
        || !string.IsNullOrEmpty(FamilyNameLatin) || !string.IsNullOrEmpty(GivenNamesLatin);

    public PersonIdentity Copy() => (PersonIdentity)MemberwiseClone();
}
