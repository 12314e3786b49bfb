using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Enum = System.Enum;

namespace Registry.Ctl.Import;

using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// The columns of an import list: one per field of <c>RegisterCaptureRequest</c> (protos/registry/intake/v1/intake.proto)
/// that an agency fills, named after the proto field (<c>capture.place</c> as <c>capture_place</c>, <c>identity_source.kind</c>
/// as <c>source_kind</c>, the coordinates as <c>latitude</c> and <c>longitude</c>). Each column turns its text into the
/// field, or says in plain words why it cannot (an unparseable date, an unknown category): such a row is not sent.
/// Everything else — lengths, a name to call the person by, a capture not in the future, a placeholder service number —
/// is the registry's to check, and comes back per row as the server's refusal.
/// </summary>
internal static partial class CaptureColumns
{
    /// <summary>One column: its header name, the proto path the server names in its violations, its help line, and how its text is set.</summary>
    /// <param name="Set">Sets the field from a value that is not empty; returns why it cannot, or null.</param>
    internal sealed record Column(string Name, string Path, string Help, Func<RegisterCaptureRequest, string, string?> Set);

    public const string RequestId = "request_id";
    public const string CapturingAgency = "capturing_agency";
    public const string Latitude = "latitude";
    public const string Longitude = "longitude";

    public static readonly IReadOnlyList<Column> All =
    [
        new(RequestId, "request_id", "UUID; optional: when empty, one is derived from the row's content (see below)", (r, v) => { r.RequestId = v; return null; }),
        new("family_name", "identity.family_name", "in the original script (e.g. Hangul, Cyrillic)", (r, v) => Text(r, v, (i, t) => i.FamilyName = t)),
        new("given_names", "identity.given_names", "in the original script; a patronymic goes here after the given names (Иван Сергеевич)", (r, v) => Text(r, v, (i, t) => i.GivenNames = t)),
        new("family_name_latin", "identity.family_name_latin", "Latin transliteration", (r, v) => Text(r, v, (i, t) => i.FamilyNameLatin = t)),
        new("given_names_latin", "identity.given_names_latin", "Latin transliteration", (r, v) => Text(r, v, (i, t) => i.GivenNamesLatin = t)),
        new("father_first_name", "identity.father_first_name", "Annex IV capture card", (r, v) => Text(r, v, (i, t) => i.FatherFirstName = t)),
        new("mother_maiden_name", "identity.mother_maiden_name", "Annex IV capture card", (r, v) => Text(r, v, (i, t) => i.MotherMaidenName = t)),
        new("date_of_birth", "identity.date_of_birth", DateHelp, (r, v) => Date(v, d => Person(r).DateOfBirth = d)),
        new("place_of_birth", "identity.place_of_birth", "", (r, v) => Text(r, v, (i, t) => i.PlaceOfBirth = t)),
        new("sex", "identity.sex", "MALE or FEMALE (M, F)", (r, v) => Sex(r, v)),
        new("nationality", "identity.nationality", "ISO 3166-1 alpha-2, e.g. RU, KP", (r, v) => Text(r, v, (i, t) => i.Nationality = t)),
        new("dependent_power", "identity.dependent_power", "ISO 3166-1 alpha-2, when it differs from the nationality (GC III Art. 122)", (r, v) => Text(r, v, (i, t) => i.DependentPower = t)),
        new("languages", "identity.languages", "BCP 47 tags separated by ';' or spaces, e.g. \"ko;ru\"", (r, v) => Languages(r, v)),
        new("service_number", "identity.service_number", "as on the identity card; leave empty when unknown", (r, v) => Text(r, v, (i, t) => i.ServiceNumber = t)),
        new("rank", "identity.rank", "", (r, v) => Text(r, v, (i, t) => i.Rank = t)),
        new("military_unit", "identity.military_unit", "", (r, v) => Text(r, v, (i, t) => i.MilitaryUnit = t)),
        new("role", "identity.role", "", (r, v) => Text(r, v, (i, t) => i.Role = t)),
        new("in_service_since", "identity.in_service_since", DateHelp, (r, v) => Date(v, d => Person(r).InServiceSince = d)),
        new("person_to_inform", "identity.person_to_inform", "", (r, v) => Text(r, v, (i, t) => i.PersonToInform = t)),
        new("person_to_inform_address", "identity.person_to_inform_address", "the family's address", (r, v) => Text(r, v, (i, t) => i.PersonToInformAddress = t)),
        new("captured_at", "capture.captured_at", "RFC 3339 with an offset, e.g. 2025-03-14T06:30:00Z or 2025-03-14T09:30+03:00; required", (r, v) => CapturedAt(r, v)),
        new("capture_place", "capture.place", "required", (r, v) => { Capture(r).Place = v; return null; }),
        new("capturing_unit", "capture.capturing_unit", "required", (r, v) => { Capture(r).CapturingUnit = v; return null; }),
        new(CapturingAgency, "capture.capturing_agency", "your agency's code, as your token carries it (e.g. UA-SSO); required here or by --agency", (r, v) => { Capture(r).CapturingAgency = v; return null; }),
        new(Latitude, "capture.coordinates.latitude", "WGS 84 decimal degrees (47.8388 or 47,8388), with longitude", (r, v) => Degrees(v, d => Point(r).Latitude = d)),
        new(Longitude, "capture.coordinates.longitude", "WGS 84 decimal degrees, with latitude", (r, v) => Degrees(v, d => Point(r).Longitude = d)),
        new("circumstances", "capture.circumstances", "", (r, v) => { Capture(r).Circumstances = v; return null; }),
        new("status_category", "status_category", "PRISONER_OF_WAR, PENDING_DETERMINATION (the default: GC III Art. 5), CIVILIAN_INTERNEE or OTHER", (r, v) => Category(r, v)),
        new("source_kind", "identity_source.kind", "where the identity facts come from: STATED_BY_PERSON, DOCUMENT or THIRD_PARTY", (r, v) => SourceKindOf(r, v)),
        new("source_document_type", "identity_source.document_type", "for DOCUMENT, e.g. \"military identity card\"", (r, v) => { Source(r).DocumentType = v; return null; }),
        new("source_document_number", "identity_source.document_number", "", (r, v) => { Source(r).DocumentNumber = v; return null; }),
        new("source_reported_by", "identity_source.reported_by", "for THIRD_PARTY: who reported it", (r, v) => { Source(r).ReportedBy = v; return null; }),
        new("source_note", "identity_source.note", "", (r, v) => { Source(r).Note = v; return null; }),
    ];

    private static readonly Dictionary<string, Column> ByName = All.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The column of a header name (case and surrounding spaces ignored), or null.</summary>
    public static Column? Find(string header) => ByName.GetValueOrDefault(header.Trim());

    /// <summary>
    /// The column a server violation's field names (<c>identity.date_of_birth</c>, <c>capture.coordinates</c>), so the report
    /// speaks of the list's columns; the field itself when no column holds it.
    /// </summary>
    public static string ColumnOf(string field)
    {
        var path = field.Split('[')[0];
        return All.FirstOrDefault(c => c.Path == path)?.Name ?? (path == "capture.coordinates" ? "latitude/longitude" : field);
    }

    /// <summary>The help text of the columns, one line each, for <c>registryctl import --help</c> and the README.</summary>
    public static string Help() => string.Join('\n', All.Select(c => $"    {c.Name,-26}{(c.Help.Length > 0 ? c.Help : "text")}"));

    private static Identity Person(RegisterCaptureRequest r) => r.Identity ??= new Identity();

    private static CaptureEvent Capture(RegisterCaptureRequest r) => r.Capture ??= new CaptureEvent();

    private static GeoPoint Point(RegisterCaptureRequest r) => Capture(r).Coordinates ??= new GeoPoint();

    private static AssertionSource Source(RegisterCaptureRequest r) => r.IdentitySource ??= new AssertionSource();

    private static string? Text(RegisterCaptureRequest r, string value, Action<Identity, string> set)
    {
        set(Person(r), value);
        return null;
    }

    private const string DateHelp = "partial date: YYYY, YYYY-MM or YYYY-MM-DD (or DD.MM.YYYY, MM.YYYY, YYYY/MM/DD)";

    /// <summary>
    /// <paramref name="value"/> written as spreadsheets save dates in other locales, rewritten in ISO 8601: day first with
    /// points (17.07.1983, 7.7.1983, 07.1983 → 1983-07-17, 1983-07-07, 1983-07; no locale writes month.day.year with points),
    /// the year first with slashes or points (2001/12/31, 2001.12.31), or a date and time at midnight (1983-07-17T00:00:00);
    /// null for any other text. With the year last and slashes or hyphens (03/04/1983, 31-12-2001) day and month cannot be
    /// told apart (the 3rd of April in most of the world, the 4th of March in the United States): refused by <see cref="Date"/>.
    /// Whether the day is one of the calendar's is <see cref="Date"/>'s check on the rewritten value.
    /// </summary>
    private static string? IsoDate(string value)
    {
        var digits = AsciiDigits(value);
        var m = DayFirstDatePattern().Match(digits);
        m = m.Success ? m : YearFirstDatePattern().Match(digits);
        if (m.Success)
        {
            var month = m.Groups["m"].Value.PadLeft(2, '0');
            return m.Groups["d"].Success ? $"{m.Groups["y"].Value}-{month}-{m.Groups["d"].Value.PadLeft(2, '0')}" : $"{m.Groups["y"].Value}-{month}";
        }

        // A date cell saved as a date and time at midnight (1983-07-17T00:00:00, 1983-07-17 00:00).
        return MidnightPattern().Match(digits) is { Success: true } midnight ? midnight.Groups["date"].Value : null;
    }

    /// <summary>
    /// A partial date as the registry holds one: YYYY, YYYY-MM or YYYY-MM-DD (ISO 8601 reduced precision), or day first with
    /// points (<see cref="IsoDate"/>); a real day.
    /// </summary>
    private static string? Date(string value, Action<PartialDate> set)
    {
        var written = value;
        value = IsoDate(value) ?? AsciiDigits(value);
        if (PartialDatePattern().Match(value) is not { Success: true } m)
        {
            return AmbiguousDatePattern().IsMatch(value)
                ? $"'{value}' is not a date that can be read: written so, with the year last, day and month cannot be told apart (03/04/1983 is the 3rd of April or the 4th of March); write YYYY-MM-DD or DD.MM.YYYY"
                : $"'{value}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (or DD.MM.YYYY, MM.YYYY)";
        }

        value = written; // the problems below name the date as the list wrote it

        var date = new PartialDate { Year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture) };
        if (m.Groups["m"].Success)
        {
            date.Month = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
            if (date.Month is < 1 or > 12)
            {
                return $"'{value}' has no month {date.Month}";
            }
        }

        if (m.Groups["d"].Success)
        {
            date.Day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
            if (date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year == 0 ? 2000 : date.Year, date.Month))
            {
                return $"'{value}' is not a day of the calendar";
            }
        }

        set(date);
        return null;
    }

    /// <summary>
    /// The text a row's derived request_id is made of for a value of the column <paramref name="column"/>: the value as read,
    /// written one way, so that the same list saved again by a program that writes values otherwise derives the same ids
    /// and replays. Degrees as the shortest number that reads back the same (47.4440 and 47,444 → 47.444), an instant in UTC
    /// (2025-03-01T09:00:00+03:00 → 2025-03-01T06:00:00Z), a date in ISO 8601 (17.07.1983 → 1983-07-17), sex and the
    /// categories by their proto names (M → MALE), languages separated by ';'. Text, and a value that cannot be read (its
    /// row is not sent), stay as written.
    /// </summary>
    public static string Canonical(string column, string value) => column switch
    {
        Latitude or Longitude => ReadDegrees(value) is { } degrees ? degrees.ToString("R", CultureInfo.InvariantCulture) : value,
        "date_of_birth" or "in_service_since" => IsoDate(value) ?? AsciiDigits(value),
        "captured_at" => ReadInstant(value) is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : value,
        "sex" => ReadSex(value) switch { Protos.Intake.V1.Sex.Male => "MALE", Protos.Intake.V1.Sex.Female => "FEMALE", _ => value },
        "status_category" => EnumValue<StatusCategory>(value, "STATUS_CATEGORY_") is { } category ? NameOf(category, "STATUS_CATEGORY_") : value,
        "source_kind" => EnumValue<SourceKind>(value, "SOURCE_KIND_") is { } kind ? NameOf(kind, "SOURCE_KIND_") : value,
        "languages" => string.Join(';', LanguageTags(value)),
        _ => value,
    };

    /// <summary>An instant with its offset (RFC 3339 §5.6): a time without one would be read in the importing machine's zone.</summary>
    private static string? CapturedAt(RegisterCaptureRequest r, string value)
    {
        value = AsciiDigits(value);
        if (!InstantPattern().IsMatch(value))
        {
            return $"'{value}' is not a time with its offset: write e.g. 2025-03-14T06:30:00Z or 2025-03-14T09:30:00+03:00 (RFC 3339)";
        }

        if (ReadInstant(value) is not { } at)
        {
            return $"'{value}' is not a time of the calendar (a day the month has, hours 00-23, minutes and seconds 00-59)";
        }

        Capture(r).CapturedAt = Timestamp.FromDateTimeOffset(at);
        return null;
    }

    private static DateTimeOffset? ReadInstant(string value)
    {
        value = AsciiDigits(value);
        return InstantPattern().IsMatch(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
    }

    /// <summary>
    /// <paramref name="value"/> with its decimal comma written as a point (47,8388 → 47.8388), as a spreadsheet writes numbers
    /// where the comma is the decimal separator: one comma, no point, digits on both sides; null for any other text.
    /// </summary>
    private static string? DecimalPoint(string value) =>
        DecimalCommaPattern().IsMatch(value) ? value.Replace(',', '.') : null;

    [GeneratedRegex(@"^\s*[+-]?[0-9]+,[0-9]+\s*$")]
    private static partial Regex DecimalCommaPattern();

    private static string? Degrees(string value, Action<double> set)
    {
        if (ReadDegrees(value) is not { } degrees)
        {
            return $"'{value}' is not a number of degrees (e.g. 47.8388)";
        }

        set(degrees);
        return null;
    }

    private static double? ReadDegrees(string value) =>
        double.TryParse(DecimalPoint(value) ?? value, NumberStyles.Float, CultureInfo.InvariantCulture, out var degrees) && double.IsFinite(degrees)
            ? degrees : null;

    private static string? Sex(RegisterCaptureRequest r, string value)
    {
        if (ReadSex(value) is not { } sex)
        {
            return $"'{value}' is not MALE or FEMALE";
        }

        Person(r).Sex = sex;
        return null;
    }

    private static Protos.Intake.V1.Sex? ReadSex(string value) => value.Trim().ToUpperInvariant() switch
    {
        "MALE" or "M" or "SEX_MALE" => Protos.Intake.V1.Sex.Male,
        "FEMALE" or "F" or "SEX_FEMALE" => Protos.Intake.V1.Sex.Female,
        _ => null,
    };

    private static string? Languages(RegisterCaptureRequest r, string value)
    {
        Person(r).Languages.AddRange(LanguageTags(value));
        return null;
    }

    private static string[] LanguageTags(string value) => value.Split([';', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Category(RegisterCaptureRequest r, string value)
    {
        if (EnumValue<StatusCategory>(value, "STATUS_CATEGORY_") is not { } category)
        {
            return $"'{value}' is not PRISONER_OF_WAR, PENDING_DETERMINATION, CIVILIAN_INTERNEE or OTHER";
        }

        r.StatusCategory = category;
        return null;
    }

    private static string? SourceKindOf(RegisterCaptureRequest r, string value)
    {
        if (EnumValue<SourceKind>(value, "SOURCE_KIND_") is not { } kind)
        {
            return $"'{value}' is not STATED_BY_PERSON, DOCUMENT or THIRD_PARTY";
        }

        Source(r).Kind = kind;
        return null;
    }

    /// <summary>The proto name of <paramref name="value"/> without <paramref name="prefix"/> (<c>PRISONER_OF_WAR</c>).</summary>
    private static string NameOf<T>(T value, string prefix)
        where T : struct, Enum
    {
        var name = typeof(T).GetField(value.ToString())!.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name;
        return name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
    }

    /// <summary>
    /// A proto enum value by its name without the prefix (<c>PRISONER_OF_WAR</c>) or with it; case, spaces and hyphens
    /// ignored; never the UNSPECIFIED value (an empty cell leaves the field unset).
    /// </summary>
    private static T? EnumValue<T>(string value, string prefix)
        where T : struct, Enum
    {
        var name = value.Trim().ToUpperInvariant().Replace('-', '_').Replace(' ', '_');
        name = name.StartsWith(prefix, StringComparison.Ordinal) ? name : prefix + name;
        foreach (var field in typeof(T).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            var original = field.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().SingleOrDefault()?.Name;
            if (original == name && !name.EndsWith("_UNSPECIFIED", StringComparison.Ordinal))
            {
                return (T)field.GetValue(null)!;
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="value"/> with every decimal digit of another script (Arabic-Indic ١٩٩٤, Persian ۱۹۹۴, Devanagari
    /// १९९४, full-width １９９４: Unicode category Nd) written 0-9, as lists typed in those scripts hold dates.
    /// </summary>
    private static string AsciiDigits(string value)
    {
        if (!value.Any(c => c > '\u007F' && char.IsDigit(c)))
        {
            return value;
        }

        return string.Create(value.Length, value, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] > '\u007F' && char.IsDigit(text[i]) ? (char)('0' + (int)char.GetNumericValue(text[i])) : text[i];
            }
        });
    }

    // [0-9], not \d: .NET's \d matches the digits of every script, which int.Parse then does not read.
    [GeneratedRegex(@"^(?<y>[0-9]{4})(-(?<m>[0-9]{2})(-(?<d>[0-9]{2}))?)?$")]
    private static partial Regex PartialDatePattern();

    [GeneratedRegex(@"^\s*((?<d>[0-9]{1,2})\.)?(?<m>[0-9]{1,2})\.(?<y>[0-9]{4})\s*$")]
    private static partial Regex DayFirstDatePattern();

    // Day and month first with slashes or hyphens, the year last (03/04/1983, 31-12-2001): the United States writes the month
    // first, most of the world the day.
    [GeneratedRegex(@"^\s*[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{2,4}\s*$")]
    private static partial Regex AmbiguousDatePattern();

    // The year first with slashes or points (2001/12/31, 2001.12.31, as East Asian locales save dates): year, month, day.
    [GeneratedRegex(@"^\s*(?<y>[0-9]{4})[/.](?<m>[0-9]{1,2})([/.](?<d>[0-9]{1,2}))?\s*$")]
    private static partial Regex YearFirstDatePattern();

    [GeneratedRegex(@"^\s*(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]00:00(:00(\.0+)?)?\s*$")]
    private static partial Regex MidnightPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex InstantPattern();
}
