using System.Text.RegularExpressions;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Names;
using Registry.Protos.Intake.V1;
using ProtoIdentity = Registry.Protos.Intake.V1.Identity;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Validation;
using ProtoDate = Registry.Protos.Common.V1.PartialDate;

namespace Registry.Intake.Features.Identity;

/// <summary>
/// Reads identity facts from an <see cref="ProtoIdentity"/> message into their canonical text form,
/// naming every bad field. A fact left empty reads as null (unknown).
/// </summary>
internal static partial class IdentityReader
{
    private delegate string? Reader(ProtoIdentity identity, FieldViolations errors, string path, DateTimeOffset now);

    private static readonly Dictionary<string, Reader> Readers = new()
    {
        ["family_name"] = (i, e, p, _) => Name(e, p, i.FamilyName),
        ["given_names"] = (i, e, p, _) => Name(e, p, i.GivenNames),
        ["family_name_latin"] = (i, e, p, _) => Latin(e, p, i.FamilyNameLatin),
        ["given_names_latin"] = (i, e, p, _) => Latin(e, p, i.GivenNamesLatin),
        ["rank"] = (i, e, p, _) => Clean(e, p, i.Rank, PersonIdentity.RankMaxLength),
        ["service_number"] = (i, e, p, _) => ServiceNumber(e, p, i.ServiceNumber),
        ["date_of_birth"] = (i, e, p, now) => Date(e, p, i.DateOfBirth, now),
        ["nationality"] = (i, e, p, _) => e.CountryCode(p, i.Nationality, required: false),
        ["place_of_birth"] = (i, e, p, _) => Clean(e, p, i.PlaceOfBirth, PersonIdentity.PlaceOfBirthMaxLength),
        ["dependent_power"] = (i, e, p, _) => e.CountryCode(p, i.DependentPower, required: false),
        ["sex"] = (i, e, p, _) => e.Enum(p, i.Sex, required: false) switch
        {
            Sex.Male => "MALE",
            Sex.Female => "FEMALE",
            _ => null,
        },
        ["languages"] = (i, e, p, _) => Languages(e, p, i.Languages),
        ["military_unit"] = (i, e, p, _) => Clean(e, p, i.MilitaryUnit, PersonIdentity.MilitaryUnitMaxLength),
        ["role"] = (i, e, p, _) => Clean(e, p, i.Role, PersonIdentity.RoleMaxLength),
        ["in_service_since"] = (i, e, p, now) => Date(e, p, i.InServiceSince, now),
        ["father_first_name"] = (i, e, p, _) => Name(e, p, i.FatherFirstName),
        ["mother_maiden_name"] = (i, e, p, _) => Name(e, p, i.MotherMaidenName),
        ["person_to_inform"] = (i, e, p, _) => Name(e, p, i.PersonToInform, PersonIdentity.PersonToInformMaxLength),
        ["person_to_inform_address"] = (i, e, p, _) => Clean(e, p, i.PersonToInformAddress, PersonIdentity.PersonToInformAddressMaxLength),
    };

    public static bool IsField(string name) => Readers.ContainsKey(name);

    /// <summary>Every fact the message gives (empty ones are not asserted at all).</summary>
    public static Dictionary<string, string?> ReadGiven(ProtoIdentity identity, FieldViolations errors, string prefix, DateTimeOffset now)
    {
        var facts = new Dictionary<string, string?>();
        foreach (var field in IdentityFields.All)
        {
            if (Readers[field.Name](identity, errors, $"{prefix}.{field.Name}", now) is { } value)
            {
                facts[field.Name] = value;
            }
        }

        return facts;
    }

    /// <summary>The named facts, an empty one asserting "unknown".</summary>
    public static Dictionary<string, string?> ReadNamed(ProtoIdentity identity, IEnumerable<string> names, FieldViolations errors, string prefix, DateTimeOffset now)
    {
        var facts = new Dictionary<string, string?>();
        foreach (var name in names)
        {
            facts[name] = Readers[name](identity, errors, $"{prefix}.{name}", now);
        }

        return facts;
    }

    /// <summary>The domain's date of birth from a validated set of facts (to compare with the capture).</summary>
    public static PartialDate? BirthDate(IReadOnlyDictionary<string, string?> facts) =>
        PartialDate.Parse(facts.GetValueOrDefault("date_of_birth"));

    /// <summary>
    /// A free-text identity field in its storage form (<see cref="NameKeys.Clean"/>: NFKC, invisible
    /// characters removed, white space collapsed); null when nothing is left.
    /// </summary>
    private static string? Clean(FieldViolations errors, string path, string value, int maxLength)
    {
        var text = errors.Text(path, value, maxLength, required: false, invisibleRemovedAfter: true);
        return text is null ? null : Stored(errors, path, text, maxLength) is { Length: > 0 } cleaned ? cleaned : null;
    }

    /// <summary>
    /// The storage form of valid text (<see cref="NameKeys.Clean"/>), or null when NFKC has made it longer than its column
    /// (a violation is added: ﬃ ×67 is 201 characters stored).
    /// </summary>
    private static string? Stored(FieldViolations errors, string path, string text, int maxLength) =>
        NameKeys.Clean(text) is var cleaned && errors.FitsStored(path, cleaned, maxLength, "NFKC") ? cleaned : null;

    /// <summary>A name in its storage form; one with no letter left (digits, punctuation, invisible characters only) is refused.</summary>
    private static string? Name(FieldViolations errors, string path, string value, int maxLength = PersonIdentity.NameMaxLength)
    {
        var text = errors.Text(path, value, maxLength, required: false, invisibleRemovedAfter: true);
        if (text is null)
        {
            return null;
        }

        var cleaned = Stored(errors, path, text, maxLength);
        if (cleaned is null)
        {
            return null;
        }

        if (!NameKeys.HasLetter(cleaned))
        {
            errors.Add(path, "must contain a letter (after invisible characters are removed)");
            return null;
        }

        return cleaned;
    }

    /// <summary>A service number in its storage form; a placeholder for an unknown number is refused (<see cref="ServiceNumbers"/>).</summary>
    private static string? ServiceNumber(FieldViolations errors, string path, string value)
    {
        var text = Clean(errors, path, value, PersonIdentity.ServiceNumberMaxLength);
        if (text is not null && ServiceNumbers.Key(text) is null)
        {
            errors.Add(path, "is a placeholder, not a number (\"N/A\", \"unknown\", \"-\", \"000\" ...): leave it empty when the number is not known");
            return null;
        }

        return text;
    }

    private static string? Latin(FieldViolations errors, string path, string value)
    {
        var text = Name(errors, path, value);
        if (text is not null && !LatinName().IsMatch(text))
        {
            errors.Add(path, "must be a Latin transliteration: Latin letters, spaces, hyphens, apostrophes");
            return null;
        }

        return text;
    }

    private static string? Date(FieldViolations errors, string path, ProtoDate? date, DateTimeOffset now)
    {
        if (date is null)
        {
            return null;
        }

        if (PartialDate.Problem(date.Year, date.Month, date.Day, now.Year) is { } problem)
        {
            errors.Add(path, problem);
            return null;
        }

        // The shared rules (DateRules): a day of this year may still be in the future.
        var value = new PartialDate(date.Year, date.Month == 0 ? null : date.Month, date.Day == 0 ? null : date.Day);
        if (DateRules.PastProblem(value.Range, now) is { } future)
        {
            errors.Add(path, future);
            return null;
        }

        return value.ToString();
    }

    private static string? Languages(FieldViolations errors, string path, IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return null;
        }

        if (tags.Count > PersonIdentity.MaxLanguages)
        {
            errors.Add(path, "at most 20 languages");
            return null;
        }

        var read = new List<string>(tags.Count);
        for (var n = 0; n < tags.Count; n++)
        {
            if (errors.LanguageTag($"{path}[{n}]", tags[n]) is { } tag)
            {
                read.Add(tag);
            }
        }

        return read.Count < tags.Count ? null : string.Join(',', read.Distinct(StringComparer.OrdinalIgnoreCase));
    }

    // Latin letters with diacritics (precomposed or combining), spaces, hyphens, apostrophes, dots.
    [GeneratedRegex(@"^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\u0300-\u036F .'’-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LatinName();
}
