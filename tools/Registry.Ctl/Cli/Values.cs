using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;

namespace Registry.Ctl.Cli;

/// <summary>
/// The values of a command line as a request takes them: an instant, a partial date, a <c>a|b|c</c> value of a repeatable
/// option, a request as a JSON file. A value that does not read is a <see cref="UsageException"/> (exit 2), thrown while
/// the request is built, so before any call.
/// </summary>
public static class Values
{
    /// <summary>The option's text, or empty when unset (proto3's "not given").</summary>
    public static string Text(this ParseResult parse, Option<string?> option) => parse.GetValue(option) ?? "";

    /// <summary>The option's RFC 3339 instant (null when unset).</summary>
    public static Timestamp? Instant(this ParseResult parse, Option<string?> option) => Instant(parse.GetValue(option), option.Name);

    /// <summary>
    /// The option's RFC 3339 instant, or now when unset; now is recorded as the option's value
    /// (<see cref="UnknownOutcome.Filled"/>) so that a write whose outcome is unknown can be sent again the same.
    /// </summary>
    public static Timestamp InstantOrNow(this ParseResult parse, Option<string?> option)
    {
        if (parse.Instant(option) is { } given)
        {
            return given;
        }

        var now = DateTimeOffset.UtcNow;
        UnknownOutcome.Filled(option.Name, now.ToString("O", CultureInfo.InvariantCulture));
        return Timestamp.FromDateTimeOffset(now);
    }

    /// <summary>An RFC 3339 instant with its offset (null when unset).</summary>
    public static Timestamp? Instant(string? text, string option) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && (text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > 9)
            ? Timestamp.FromDateTimeOffset(at)
            : throw new UsageException($"{option} must be an RFC 3339 instant with its offset, e.g. 2025-01-11T06:30:00Z, not '{text}'.");

    /// <summary>YYYY, YYYY-MM or YYYY-MM-DD as a partial date (null when unset).</summary>
    public static PartialDate? PartialDate(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Split('-');
        if (parts.Length is < 1 or > 3 || parts.Any(p => !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)) || parts[0].Length != 4)
        {
            throw new UsageException($"{option} must be YYYY, YYYY-MM or YYYY-MM-DD, not '{text}'.");
        }

        var numbers = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new PartialDate { Year = numbers[0], Month = numbers.Length > 1 ? numbers[1] : 0, Day = numbers.Length > 2 ? numbers[2] : 0 };
    }

    /// <summary>
    /// The fields of one value of a repeatable option written <paramref name="form"/> (e.g. <c>name|agency|function</c>):
    /// <paramref name="required"/> fields, each non-empty, then up to the form's count of optional ones (empty when left
    /// out). Anything else names the option, the value and the form.
    /// </summary>
    public static string[] Fields(string value, string option, string form, int required)
    {
        var names = form.Split('|');
        var fields = value.Split('|').Select(f => f.Trim()).ToArray();
        var missing = Enumerable.Range(0, Math.Min(required, names.Length)).FirstOrDefault(i => i >= fields.Length || fields[i].Length == 0, -1);
        if (fields.Length > names.Length || missing >= 0)
        {
            var why = fields.Length > names.Length ? $"more than {names.Length} fields (a '|' inside a field is not allowed)" : $"no {names[missing]}";
            var needed = required == names.Length ? "each required" : $"{string.Join(", ", names[..required])} required";
            throw new UsageException($"{option} must be \"{form}\" ({needed}), not '{value}': {why}.");
        }

        return [.. fields, .. Enumerable.Repeat("", names.Length - fields.Length)];
    }

    /// <summary>
    /// The enum value named <paramref name="text"/>: its C# name (<c>StatedByPerson</c>) or its proto name with or without the
    /// enum's prefix (<c>STATED_BY_PERSON</c>, <c>SOURCE_KIND_STATED_BY_PERSON</c>, as CSV lists and the JSON mapping write it),
    /// any case; never the unspecified value. "" is the default (unset).
    /// </summary>
    public static T Enum<T>(string text, string option, string value) where T : struct, System.Enum =>
        text.Length == 0 ? default
        : TryEnum<T>(text, out var parsed) ? parsed
        : throw new UsageException($"{option}: '{text}' in '{value}' is not one of {EnumNames<T>()}.");

    /// <summary>An option taking a value of <typeparamref name="T"/> by any of the names <see cref="Enum{T}"/> reads; a bad one is exit 2 naming the choices.</summary>
    public static Option<T?> EnumOption<T>(string name, string description) where T : struct, System.Enum => new(name)
    {
        Description = description,
        HelpName = string.Join('|', System.Enum.GetNames<T>().Where(n => n != "Unspecified")),
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (TryEnum<T>(text, out var parsed))
            {
                return parsed;
            }

            result.AddError($"{name} must be one of {EnumNames<T>()}, not '{text}'.");
            return null;
        },
    };

    private static string EnumNames<T>() where T : struct, System.Enum => string.Join(", ", System.Enum.GetNames<T>().Where(n => n != "Unspecified"));

    private static bool TryEnum<T>(string text, out T parsed) where T : struct, System.Enum
    {
        var wanted = Key(text);
        foreach (var field in typeof(T).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            var proto = field.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name;
            if (field.Name != "Unspecified" && wanted.Length > 0
                && (Key(field.Name) == wanted || (proto is not null && Key(proto) == wanted)))
            {
                parsed = (T)field.GetValue(null)!;
                return true;
            }
        }

        parsed = default;
        return false;
    }

    /// <summary>Upper case without separators: <c>StatedByPerson</c>, <c>stated-by-person</c> and <c>STATED_BY_PERSON</c> meet.</summary>
    private static string Key(string text) => string.Concat(text.Where(char.IsLetterOrDigit)).ToUpperInvariant();

    /// <summary>A request as the protobuf JSON mapping (as the gateway's HTTP/JSON route takes it), from a file.</summary>
    public static T JsonFile<T>(FileInfo file) where T : IMessage<T>, new()
    {
        if (!file.Exists)
        {
            throw new UsageException($"No file at {file.FullName}.");
        }

        try
        {
            return JsonParser.Default.Parse<T>(File.ReadAllText(file.FullName));
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new UsageException($"{file.Name} is not a {typeof(T).Name} in JSON: {ex.Message}");
        }
    }
}
