namespace Registry.Intake.Domain;

/// <summary>One identity fact: its name in the contract, whether Art. 17 obliges the person to give it, and where the case keeps its current value.</summary>
public sealed record IdentityField(string Name, bool RequiredByArticle17, Func<PersonIdentity, string?> Get, Action<PersonIdentity, string?> Set);

/// <summary>The catalogue of identity facts. Assertions name a field from here and carry its value as text.</summary>
public static class IdentityFields
{
    public static readonly IReadOnlyList<IdentityField> All =
    [
        // GC III Art. 17: surname, first names, rank, date of birth, serial number; the rest is volunteered.
        new("family_name", true, i => i.FamilyName, (i, v) => i.FamilyName = v),
        new("given_names", true, i => i.GivenNames, (i, v) => i.GivenNames = v),
        new("family_name_latin", true, i => i.FamilyNameLatin, (i, v) => i.FamilyNameLatin = v),
        new("given_names_latin", true, i => i.GivenNamesLatin, (i, v) => i.GivenNamesLatin = v),
        new("rank", true, i => i.Rank, (i, v) => i.Rank = v),
        new("service_number", true, i => i.ServiceNumber, (i, v) => i.ServiceNumber = v),
        new("date_of_birth", true, i => i.DateOfBirth?.ToString(), (i, v) => i.DateOfBirth = PartialDate.Parse(v)),
        new("nationality", false, i => i.Nationality, (i, v) => i.Nationality = v),
        new("place_of_birth", false, i => i.PlaceOfBirth, (i, v) => i.PlaceOfBirth = v),
        new("dependent_power", false, i => i.DependentPower, (i, v) => i.DependentPower = v),
        new("sex", false, i => i.Sex, (i, v) => i.Sex = v),
        new("languages", false, i => i.Languages, (i, v) => i.Languages = v),
        new("military_unit", false, i => i.MilitaryUnit, (i, v) => i.MilitaryUnit = v),
        new("role", false, i => i.Role, (i, v) => i.Role = v),
        new("in_service_since", false, i => i.InServiceSince, (i, v) => i.InServiceSince = v),
        new("father_first_name", false, i => i.FatherFirstName, (i, v) => i.FatherFirstName = v),
        new("mother_maiden_name", false, i => i.MotherMaidenName, (i, v) => i.MotherMaidenName = v),
        new("person_to_inform", false, i => i.PersonToInform, (i, v) => i.PersonToInform = v),
        new("person_to_inform_address", false, i => i.PersonToInformAddress, (i, v) => i.PersonToInformAddress = v),
    ];

    private static readonly Dictionary<string, IdentityField> ByName = All.ToDictionary(f => f.Name);

    public static IdentityField? Find(string name) => ByName.GetValueOrDefault(name);
}
