using System.Globalization;
using System.Text.Json.Serialization;

namespace Registry.Linkage;

/// <summary>The one way a second record of a person differs from the first (the label of the pair).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Variation>))]
public enum Variation
{
    /// <summary>Latin only, in another transliteration system (Korean MR / RR / DPRK; Cyrillic passport / BGN-PCGN / ISO 9).</summary>
    Transliteration,
    /// <summary>Word boundaries moved: "Kwang Sun" / "Kwangsun" / "Kwang-Sun", or the whole name in one field ("백광순").</summary>
    Spacing,
    /// <summary>One letter substituted, dropped, doubled or two swapped in one name part.</summary>
    Typo,
    /// <summary>Family and given names exchanged.</summary>
    Swapped,
    /// <summary>Birth date one day off (1999-12-31 / 2000-01-01 included).</summary>
    BirthDayOff,
    /// <summary>Birth year one off.</summary>
    BirthYearOff,
    /// <summary>Only the year, or year and month, of a full birth date.</summary>
    PartialDate,
    /// <summary>No birth date at all.</summary>
    UnknownBirthDate,
    /// <summary>No nationality.</summary>
    UnknownNationality,
    /// <summary>No service number where the first record had one.</summary>
    UnknownServiceNumber,
    /// <summary>Another agency that wrote the other script only (Hangul or Cyrillic only against Latin only).</summary>
    OtherScript,
}

[JsonConverter(typeof(JsonStringEnumConverter<RecordRole>))]
public enum RecordRole
{
    /// <summary>A person's first registration: the registry.</summary>
    First,
    /// <summary>The same person registered again by another agency, with one <see cref="Variation"/>.</summary>
    Second,
    /// <summary>A person never registered before.</summary>
    New,
}

/// <summary>One registration as an agency would send it, with the truth (person, role, variation) attached.</summary>
public sealed record SyntheticRecord
{
    public required int RecordId { get; init; }
    public required int PersonId { get; init; }
    public required RecordRole Role { get; init; }
    public Variation? Variation { get; init; }
    public string? FamilyName { get; init; }
    public string? GivenNames { get; init; }
    public string? FamilyNameLatin { get; init; }
    public string? GivenNamesLatin { get; init; }
    public int? BirthYear { get; init; }
    public int? BirthMonth { get; init; }
    public int? BirthDay { get; init; }
    public string? Nationality { get; init; }
    public string? ServiceNumber { get; init; }
    public required string CapturePlace { get; init; }
    public required DateTimeOffset CapturedAt { get; init; }
    public required string CapturingAgency { get; init; }
}

/// <summary>The labelled set: the registry (first records), the second records by variation, and the new persons.</summary>
public sealed record EvaluationSet(IReadOnlyList<SyntheticRecord> Registry, IReadOnlyList<SyntheticRecord> Seconds, IReadOnlyList<SyntheticRecord> NewPersons)
{
    public IEnumerable<SyntheticRecord> All => Registry.Concat(Seconds).Concat(NewPersons);
}

/// <summary>
/// Synthetic persons with the truth known. Deterministic for a seed: the same seed and sizes give the
/// same records on every machine (System.Random with a seed; no hash-order or clock dependence).
/// </summary>
public sealed class Generator(int seed)
{
    private static readonly string[] Placeholders = ["N/A", "n/a", "unknown", "-", "000", "none", "нет", "0", "?"];
    private static readonly string[] Agencies = ["UA-SSO", "UA-SBU", "UA-HUR", "UA-NGU", "UA-AFU", "UA-DPSU"];
    private static readonly DateTimeOffset CaptureStart = new(2024, 8, 6, 0, 0, 0, TimeSpan.Zero);
    private const int CaptureDays = 785;

    private readonly Random _random = new(seed);
    private readonly Weighted<KoreanFamily> _koreanFamilies = new(NameTables.KoreanFamilies.Select(f => (f, f.Weight)));
    private readonly Weighted<char> _koreanSyllables = Weighted<char>.Zipf(NameTables.KoreanGivenSyllables, 0.7);
    private readonly Weighted<string> _russianFamilies = Weighted<string>.Zipf(NameTables.RussianFamilies, 0.6);
    private readonly Weighted<string> _russianGiven = Weighted<string>.Zipf(NameTables.RussianGiven, 0.9);
    private readonly Weighted<string> _ukrainianFamilies = Weighted<string>.Zipf(NameTables.UkrainianFamilies, 0.6);
    private readonly Weighted<string> _ukrainianGiven = Weighted<string>.Zipf(NameTables.UkrainianGiven, 0.9);
    private readonly Weighted<string> _places = Weighted<string>.Zipf(NameTables.CapturePlaces, 0.8);
    private readonly Dictionary<string, List<(DateTimeOffset Day, string Place)>> _events = [];
    private int _nextRecord;

    /// <summary>
    /// <paramref name="persons"/> registered persons; <paramref name="perVariation"/> of them registered
    /// again with each kind of variation; <paramref name="newPersons"/> more never registered before.
    /// </summary>
    public EvaluationSet Generate(int persons, int perVariation, int newPersons)
    {
        var kinds = Enum.GetValues<Variation>();
        if (perVariation * kinds.Length > persons)
        {
            throw new ArgumentException($"{perVariation} pairs of each of {kinds.Length} kinds need at least {perVariation * kinds.Length} persons.");
        }

        var registry = new List<SyntheticRecord>(persons);
        var seconds = new List<SyntheticRecord>(perVariation * kinds.Length);
        for (var p = 0; p < persons; p++)
        {
            // The first persons get a second record, spread over the registry's order by a stride.
            Variation? variation = p < perVariation * kinds.Length ? kinds[p % kinds.Length] : null;
            var person = NewPerson(p);
            if (variation == Variation.BirthDayOff && _random.Next(5) == 0)
            {
                // Across a year's end, as 1999-12-31 / 2000-01-01.
                person = person with { Birth = new DateOnly(person.Birth.Year, 1, 1) };
            }

            var first = FirstRecord(person, variation);
            registry.Add(first);
            if (variation is { } kind)
            {
                seconds.Add(SecondRecord(person, first, kind));
            }
        }

        // Shuffle the registry so that the persons with a second record are not all at its start.
        for (var i = registry.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (registry[i], registry[j]) = (registry[j], registry[i]);
        }

        var fresh = Enumerable.Range(persons, newPersons).Select(p => FirstRecord(NewPerson(p), null) with { Role = RecordRole.New }).ToList();
        return new EvaluationSet(registry, seconds, fresh);
    }

    /// <summary>The truth about one person: names in the native script, birth date, nationality, service number, capture.</summary>
    private sealed record Person(
        int Id, string Nationality, string Family, string Given, KoreanFamily? Korean, DateOnly Birth, string? ServiceNumber,
        string Place, DateTimeOffset CapturedAt)
    {
        public bool IsKorean => Korean is not null;
        public bool IsUkrainian => Nationality == "UA";
    }

    private Person NewPerson(int id)
    {
        var roll = _random.NextDouble();
        var nationality = roll < 0.45 ? "KP" : roll < 0.9 ? "RU" : "UA";
        KoreanFamily? korean = null;
        string family, given;
        if (nationality == "KP")
        {
            korean = _koreanFamilies.Draw(_random);
            family = korean.Hangul;
            var first = _koreanSyllables.Draw(_random);
            char second;
            do
            {
                second = _koreanSyllables.Draw(_random);
            }
            while (second == first);
            given = $"{first}{second}";
        }
        else if (nationality == "RU")
        {
            (family, given) = (SlavicFamily(_russianFamilies), _russianGiven.Draw(_random));
        }
        else
        {
            (family, given) = (SlavicFamily(_ukrainianFamilies), _ukrainianGiven.Draw(_random));
        }

        var (from, to) = nationality == "KP" ? (1994, 2007) : (1970, 2006);
        var birth = new DateOnly(from, 1, 1).AddDays(_random.Next((new DateOnly(to, 12, 31).DayNumber - new DateOnly(from, 1, 1).DayNumber) + 1));
        var number = _random.NextDouble() switch
        {
            < 0.45 => nationality switch
            {
                "KP" => Digits(8),
                "RU" => $"{(char)('A' + _random.Next(26))}{(char)('A' + _random.Next(26))}-{Digits(7)}",
                _ => Digits(10),
            },
            < 0.5 => Placeholders[_random.Next(Placeholders.Length)],
            _ => null,
        };
        // Men are captured together: a capture event (a day and a place) takes about seven of one nationality,
        // so agreement on the capture is common between different persons too.
        var events = _events.TryGetValue(nationality, out var list) ? list : _events[nationality] = [];
        if (events.Count == 0 || _random.NextDouble() < 0.15)
        {
            events.Add((CaptureStart.AddDays(_random.Next(CaptureDays)), _places.Draw(_random)));
        }

        var (day, place) = events[_random.Next(events.Count)];
        return new Person(id, nationality, family, given, korean, birth, number, place, day.AddMinutes(_random.Next(24 * 60)));
    }

    private string SlavicFamily(Weighted<string> frequent) => _random.Next(2) == 0
        ? frequent.Draw(_random)
        : NameTables.SlavicStems[_random.Next(NameTables.SlavicStems.Length)] + NameTables.SlavicEndings[_random.Next(NameTables.SlavicEndings.Length)];

    private string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + _random.Next(10))));

    private enum Scripts { Both, NativeOnly, LatinOnly }

    private SyntheticRecord FirstRecord(Person person, Variation? variation)
    {
        var scripts = variation == Variation.OtherScript
            ? (_random.Next(2) == 0 ? Scripts.NativeOnly : Scripts.LatinOnly)
            : _random.NextDouble() switch { < 0.5 => Scripts.Both, < 0.75 => Scripts.NativeOnly, _ => Scripts.LatinOnly };
        var system = _random.Next(3);
        // The kinds that change the birth date or drop the service number need a first record that has them.
        var dateShape = variation is Variation.BirthDayOff or Variation.PartialDate ? 0
            : variation is Variation.BirthYearOff or Variation.UnknownBirthDate ? _random.Next(3)
            : _random.NextDouble() switch { < 0.6 => 0, < 0.7 => 1, < 0.95 => 2, _ => 3 };
        var number = variation == Variation.UnknownServiceNumber && (person.ServiceNumber is null || person.ServiceNumber.Length < 5)
            ? Digits(8)
            : person.ServiceNumber;
        return Record(person, RecordRole.First, null, scripts, system, dateShape, person.Birth, number, person.Nationality,
            person.Place, person.CapturedAt, Agencies[_random.Next(Agencies.Length)]);
    }

    private SyntheticRecord SecondRecord(Person person, SyntheticRecord first, Variation kind)
    {
        var firstScripts = first.FamilyName is null && first.GivenNames is null ? Scripts.LatinOnly
            : first.FamilyNameLatin is null && first.GivenNamesLatin is null ? Scripts.NativeOnly : Scripts.Both;
        var firstSystem = SystemOf(person, first);
        var dateShape = first.BirthMonth is null ? (first.BirthYear is null ? 3 : 2) : first.BirthDay is null ? 1 : 0;
        var birth = person.Birth;
        var nationality = (string?)person.Nationality;
        var number = first.ServiceNumber;
        var (scripts, system) = (firstScripts, firstSystem);
        switch (kind)
        {
            case Variation.Transliteration:
                (scripts, system) = (Scripts.LatinOnly, (firstSystem + 1 + _random.Next(2)) % 3);
                break;
            case Variation.OtherScript:
                scripts = firstScripts == Scripts.NativeOnly ? Scripts.LatinOnly : Scripts.NativeOnly;
                system = _random.Next(3);
                break;
            case Variation.BirthDayOff:
                // A person born on 1 January (one in five of these pairs) is written a day earlier, in the year before.
                birth = birth is { Month: 1, Day: 1 } ? birth.AddDays(-1) : birth.AddDays(_random.Next(2) == 0 ? -1 : 1);
                break;
            case Variation.BirthYearOff:
                birth = birth.AddYears(_random.Next(2) == 0 ? -1 : 1);
                break;
            case Variation.PartialDate:
                dateShape = 1 + _random.Next(2);
                break;
            case Variation.UnknownBirthDate:
                dateShape = 3;
                break;
            case Variation.UnknownNationality:
                nationality = null;
                break;
            case Variation.UnknownServiceNumber:
                number = null;
                break;
        }

        // Another agency: the same capture, dated by its own paperwork (mostly the same day, sometimes a few days off,
        // and one in fifty dated by a transfer weeks later), and its place as the receiving agency wrote it (mostly the same).
        var captured = person.CapturedAt.AddHours(_random.NextDouble() switch
        {
            < 0.83 => _random.Next(-12, 13),
            < 0.98 => _random.Next(-96, 97),
            _ => _random.Next(5 * 24, 40 * 24),
        });
        var place = _random.NextDouble() < 0.7 ? person.Place : _places.Draw(_random);
        var agency = Agencies.Where(a => a != first.CapturingAgency).ElementAt(_random.Next(Agencies.Length - 1));
        var second = Record(person, RecordRole.Second, kind, scripts, system, dateShape, birth, number, nationality, place, captured, agency);
        second = kind switch
        {
            Variation.Spacing => Respace(second, person, (KoreanSystem)system),
            Variation.Typo => Typo(second),
            Variation.Swapped => second with
            {
                FamilyName = second.GivenNames, GivenNames = second.FamilyName,
                FamilyNameLatin = second.GivenNamesLatin, GivenNamesLatin = second.FamilyNameLatin,
            },
            _ => second,
        };
        return second;
    }

    /// <summary>The transliteration system a record's Latin names were written in (recovered from the record).</summary>
    private int SystemOf(Person person, SyntheticRecord record)
    {
        for (var s = 0; s < 3; s++)
        {
            if (LatinFamily(person, s) == record.FamilyNameLatin && LatinGiven(person, s) == record.GivenNamesLatin)
            {
                return s;
            }
        }

        return _random.Next(3);
    }

    private static string LatinFamily(Person person, int system) => person.Korean is { } k
        ? k.Latin((KoreanSystem)system)
        : CyrillicRomaniser.Transliterate(person.Family, (CyrillicSystem)system, person.IsUkrainian);

    private static string LatinGiven(Person person, int system) => person.IsKorean
        ? KoreanRomaniser.Given(person.Given, (KoreanSystem)system)
        : CyrillicRomaniser.Transliterate(person.Given, (CyrillicSystem)system, person.IsUkrainian);

    private SyntheticRecord Record(Person person, RecordRole role, Variation? variation, Scripts scripts, int system, int dateShape,
        DateOnly birth, string? number, string? nationality, string place, DateTimeOffset captured, string agency)
    {
        var native = scripts != Scripts.LatinOnly;
        var latin = scripts != Scripts.NativeOnly;
        return new SyntheticRecord
        {
            RecordId = _nextRecord++,
            PersonId = person.Id,
            Role = role,
            Variation = variation,
            FamilyName = native ? person.Family : null,
            GivenNames = native ? person.Given : null,
            FamilyNameLatin = latin ? LatinFamily(person, system) : null,
            GivenNamesLatin = latin ? LatinGiven(person, system) : null,
            BirthYear = dateShape < 3 ? birth.Year : null,
            BirthMonth = dateShape < 2 ? birth.Month : null,
            BirthDay = dateShape < 1 ? birth.Day : null,
            Nationality = nationality,
            ServiceNumber = number,
            CapturePlace = place,
            CapturedAt = captured,
            CapturingAgency = agency,
        };
    }

    private SyntheticRecord Respace(SyntheticRecord r, Person person, KoreanSystem system)
    {
        // Native: the whole name in one field ("백광순", "Иванов Сергей"). Latin: the given name's syllables joined, hyphenated
        // or spaced otherwise, and for Cyrillic names the whole name in one field.
        var nativeOneField = r.FamilyName is not null && (r.FamilyNameLatin is null || _random.Next(2) == 0);
        if (nativeOneField)
        {
            var joined = person.IsKorean ? r.FamilyName + r.GivenNames : $"{r.FamilyName} {r.GivenNames}";
            return r with { FamilyName = joined, GivenNames = null };
        }

        if (person.IsKorean)
        {
            var syllables = person.Given.Select(s => KoreanRomaniser.Capital(KoreanRomaniser.Syllable(s, system))).ToList();
            var joined = r.GivenNamesLatin!.Contains(' ') ? string.Concat(syllables) : string.Join(_random.Next(2) == 0 ? " " : "-", syllables);
            return r with { GivenNamesLatin = joined == r.GivenNamesLatin ? string.Join("-", syllables) : joined };
        }

        return r with { FamilyNameLatin = $"{r.FamilyNameLatin} {r.GivenNamesLatin}", GivenNamesLatin = null };
    }

    private SyntheticRecord Typo(SyntheticRecord r)
    {
        // One edit in one name part: in Latin where the record has it, else in the native script.
        var parts = new List<string>();
        if (r.FamilyNameLatin is not null) { parts.Add("fl"); parts.Add("gl"); }
        else { parts.Add("f"); parts.Add("g"); }
        var part = parts[_random.Next(parts.Count)];
        var text = part switch { "fl" => r.FamilyNameLatin!, "gl" => r.GivenNamesLatin!, "f" => r.FamilyName!, _ => r.GivenNames! };
        var changed = Edit(text);
        return part switch
        {
            "fl" => r with { FamilyNameLatin = changed },
            "gl" => r with { GivenNamesLatin = changed },
            "f" => r with { FamilyName = changed },
            _ => r with { GivenNames = changed },
        };
    }

    private string Edit(string text)
    {
        if (text.Any(c => c is >= '\uAC00' and <= '\uD7A3'))
        {
            // A Hangul slip: one syllable's final consonant added, dropped or changed (광 → 관, 철 → 처).
            var letters = text.ToCharArray();
            var i = Enumerable.Range(0, letters.Length).Where(k => letters[k] is >= '\uAC00' and <= '\uD7A3').OrderBy(_ => _random.Next()).First();
            var code = letters[i] - 0xAC00;
            var final = code % 28;
            var newFinal = final == 0 ? 4 : final == 4 ? 21 : 0;
            letters[i] = (char)(0xAC00 + code - final + newFinal);
            return new string(letters);
        }

        var alphabet = text.Any(c => c is >= '\u0400' and <= '\u04FF') ? "абвгдежзиклмнопрстуфхцчшщыэюя" : "abcdefghijklmnoprstuvyz";
        if (text.Length < 3)
        {
            return text + alphabet[_random.Next(alphabet.Length)];
        }

        // Not the first letter: the rare slip there is not what a second writer of a name makes.
        var at = 1 + _random.Next(text.Length - 1);
        return _random.Next(4) switch
        {
            0 => text[..at] + alphabet[_random.Next(alphabet.Length)] + text[(at + 1)..],
            1 => text[..at] + text[(at + 1)..],
            2 => text[..at] + text[at] + text[at..],
            _ => at + 1 < text.Length ? text[..at] + text[at + 1] + text[at] + text[(at + 2)..] : text[..at] + text[at] + text[at..],
        };
    }

    public static string Format(SyntheticRecord r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.FamilyName} {r.GivenNames} / {r.FamilyNameLatin} {r.GivenNamesLatin} / {r.BirthYear}-{r.BirthMonth}-{r.BirthDay} / {r.Nationality} / {r.ServiceNumber}");
}
