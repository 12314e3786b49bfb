namespace Registry.Intake.Domain;

/// <summary>
/// The current best value of each identity fact of a case (GC III Art. 17 and 122(4)): the latest
/// assertion of each field. The assertions themselves, with their sources, are kept apart and never
/// changed. Values are in the canonical text form of <see cref="IdentityFields"/>.
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

    public string? FamilyName { get; set; }
    public string? GivenNames { get; set; }
    public string? FamilyNameLatin { get; set; }
    public string? GivenNamesLatin { get; set; }
    public string? Rank { get; set; }
    public string? ServiceNumber { get; set; }
    public int? BirthYear { get; set; }
    public int? BirthMonth { get; set; }
    public int? BirthDay { get; set; }
    public string? PlaceOfBirth { get; set; }
    public string? Nationality { get; set; }
    public string? DependentPower { get; set; }
    public string? Sex { get; set; }
    /// <summary>BCP 47 tags, comma-separated.</summary>
    public string? Languages { get; set; }
    public string? MilitaryUnit { get; set; }
    public string? Role { get; set; }
    public string? InServiceSince { get; set; }
    public string? FatherFirstName { get; set; }
    public string? MotherMaidenName { get; set; }
    public string? PersonToInform { get; set; }
    public string? PersonToInformAddress { get; set; }

    public PartialDate? DateOfBirth
    {
        get => BirthYear is { } year ? new PartialDate(year, BirthMonth, BirthDay) : null;
        set => (BirthYear, BirthMonth, BirthDay) = (value?.Year, value?.Month, value?.Day);
    }

    public bool HasName =>
        !string.IsNullOrEmpty(FamilyName) || !string.IsNullOrEmpty(GivenNames)
        || !string.IsNullOrEmpty(FamilyNameLatin) || !string.IsNullOrEmpty(GivenNamesLatin);

    public PersonIdentity Copy() => (PersonIdentity)MemberwiseClone();
}
