using System.Text;
using System.Text.RegularExpressions;
using Google.Rpc;
using Registry.ServiceDefaults.Validation;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Collects every bad field of a request, so that a caller learns all of them at once,
/// then throws one InvalidArgument naming them.
/// </summary>
public sealed partial class FieldViolations
{
    /// <summary>0001-01-01 and 9999-12-31T23:59:59Z, the range google.protobuf.Timestamp allows.</summary>
    private const long MinTimestampSeconds = -62135596800;
    private const long MaxTimestampSeconds = 253402300799;

    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    public bool Any => _violations.Count > 0;

    /// <summary>The violations collected so far, in the order found (for a caller that reports them without throwing, e.g. one row of a batch).</summary>
    public IReadOnlyList<BadRequest.Types.FieldViolation> Violations => _violations;

    public void Add(string field, string description) =>
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });

    /// <summary>Code points in <paramref name="text"/>: a surrogate pair counts once (a lone surrogate once too; it is refused anyway).</summary>
    public static int CodePoints(string text)
    {
        var count = text.Length;
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]))
            {
                count--;
            }
        }

        return count;
    }

    /// <summary>
    /// A free-text field: required or not, at most <paramref name="maxLength"/> characters (Unicode code points, as PostgreSQL's
    /// <c>varchar(n)</c> counts them: a Han character outside the Basic Multilingual Plane, as in some Chinese names, is one
    /// though .NET stores it as two UTF-16 units), one line (none of
    /// <see cref="TextRules.LineBreaks"/>), no control characters, no lone surrogates (invalid UTF-16 cannot be stored or exported),
    /// and no invisible format characters (<see cref="TextRules.FirstFormatCharacter"/>: zero-width spaces, bidi overrides,
    /// tags, soft hyphens; a ZWNJ or ZWJ between letters is spelling, and allowed), which would make two texts that look
    /// alike differ, or reorder what a reader sees (CVE-2021-42574). Its limit counts the text as stored (NFC, <see cref="FitsStored"/>).
    /// A caller that removes them itself (intake's names: <c>NameKeys.Clean</c>) passes <paramref name="invisibleRemovedAfter"/>.
    /// Returns the trimmed value, or null when absent.
    /// </summary>
    public string? Text(string field, string? value, int maxLength, bool required, bool invisibleRemovedAfter = false)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        if (CodePoints(trimmed) > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        else if (TextRules.HasLineBreak(trimmed))
        {
            Add(field, "must be one line: no line or paragraph separators (LF, VT, FF, CR, U+0085, U+2028, U+2029)");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Add(field, "must not contain control characters");
        }
        else if (!IsWellFormed(trimmed))
        {
            Add(field, "must be well-formed Unicode");
        }
        else if (!invisibleRemovedAfter && TextRules.FirstFormatCharacter(trimmed) is { } invisible)
        {
            Add(field, $"must not contain invisible format characters (U+{invisible.Rune.Value:X4} at {invisible.Index})");
        }
        else if (trimmed.Contains('\uFFFD'))
        {
            // What a decoder leaves where the client sent bytes that were not UTF-8: the text is already lost.
            Add(field, "must be valid UTF-8 (contains a replacement character)");
        }
        else if (trimmed.Normalize(NormalizationForm.FormC) is var normal && FitsStored(field, normal, maxLength, "NFC"))
        {
            return normal;
        }

        return null;
    }

    /// <summary>
    /// Whether text still fits its limit of <paramref name="maxLength"/> characters (code points) in the form it is stored in,
    /// after Unicode normalisation (<paramref name="form"/>: "NFC", or "NFKC" for intake's names). Normalisation can lengthen
    /// text: NFC writes U+0958 (Devanagari qa) as two characters, NFKC the ligature U+FB03 "ﬃ" as "ffi" and U+FDF2 as four, so a
    /// value within its limit as typed could overflow its column (PostgreSQL 22001, which the caller would hear as UNAVAILABLE).
    /// Adds a violation naming both counts when it does not fit.
    /// </summary>
    public bool FitsStored(string field, string stored, int maxLength, string form)
    {
        var count = CodePoints(stored);
        if (count <= maxLength)
        {
            return true;
        }

        Add(field, $"must be at most {maxLength} characters in the form it is stored in (Unicode {form}), where it has {count}: "
            + "some characters are stored as two or more (ligatures such as U+FB03 \"ﬃ\", presentation forms)");
        return false;
    }

    /// <summary>
    /// A UUID in any of its usual spellings: 8-4-4-4-12 hex digits, or 32 without hyphens, optionally in braces or
    /// parentheses, upper or lower case. The Guid it returns is the one identity all spellings share.
    /// </summary>
    public Guid? Uuid(string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        var text = value.Trim();
        foreach (var format in UuidFormats)
        {
            if (Guid.TryParseExact(text, format, out var id))
            {
                return id;
            }
        }

        Add(field, "must be a UUID, e.g. 0193c1f4-3b8e-7c4a-9d2e-5f6a7b8c9d0e");
        return null;
    }

    private static readonly string[] UuidFormats = ["D", "N", "B", "P"];

    /// <summary>
    /// A write's idempotency key (a UUID, <see cref="Uuid"/>), compared in its canonical form so that a retry is a retry
    /// whatever the spelling. The nil UUID is refused: clients that leave it at its default would all share one key.
    /// </summary>
    public Guid? RequestId(string field, string? value)
    {
        var id = Uuid(field, value, required: true);
        if (id == Guid.Empty)
        {
            Add(field, "must not be the nil UUID: choose a new random UUID for each write");
            return null;
        }

        return id;
    }

    /// <summary>A proto3 enum: a value the contract does not define (a newer client, a forged request) is refused.</summary>
    public TEnum? Enum<TEnum>(string field, TEnum value, bool required) where TEnum : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value))
        {
            Add(field, $"{Convert.ToInt32(value)} is not a known value");
            return null;
        }

        if (Convert.ToInt32(value) == 0)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        return value;
    }

    /// <summary>
    /// When something happened: a valid timestamp within <see cref="DateRules"/>' range (not before 1900-01-01, not after
    /// <paramref name="now"/> plus 5 minutes of clock skew). Returns it at the microsecond precision the stores keep, or
    /// null when absent or bad. Dates about a person are then checked against their birth and capture (<see cref="Check"/>).
    /// </summary>
    public DateTimeOffset? PastTimestamp(string field, Google.Protobuf.WellKnownTypes.Timestamp? value, DateTimeOffset now, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        if (value.Seconds < MinTimestampSeconds || value.Seconds > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            Add(field, "is not a valid timestamp");
            return null;
        }

        var at = value.ToDateTimeOffset();
        if (DateRules.PastProblem(at, now) is { } problem)
        {
            Add(field, problem);
            return null;
        }

        return Data.StoredTime.ToMicroseconds(at);
    }

    /// <summary>Names <paramref name="field"/> with <paramref name="problem"/> (a rule's answer, e.g. <see cref="PersonDates"/>'), when there is one.</summary>
    public void Check(string field, string? problem)
    {
        if (problem is not null)
        {
            Add(field, problem);
        }
    }

    /// <summary>
    /// A bound of a query (e.g. the <c>to</c> of a time range): a valid timestamp, past or future. Returns it, or null
    /// when absent or bad.
    /// </summary>
    public DateTimeOffset? Instant(string field, Google.Protobuf.WellKnownTypes.Timestamp? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Seconds < MinTimestampSeconds || value.Seconds > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            Add(field, "is not a valid timestamp");
            return null;
        }

        return value.ToDateTimeOffset();
    }

    /// <summary>
    /// An ISO 3166-1 alpha-2 country code in capitals (e.g. KP, UA) that ISO has assigned, or XK (<see cref="IsoCodes"/>):
    /// ZZ, XX, QQ or EN are refused.
    /// </summary>
    public string? CountryCode(string field, string? value, bool required)
    {
        var code = Text(field, value, 2, required);
        if (code is null)
        {
            return null;
        }

        if (!(code.Length == 2 && code.All(char.IsAsciiLetterUpper)))
        {
            Add(field, "must be an ISO 3166-1 alpha-2 code in capitals, e.g. UA");
            return null;
        }

        if (!IsoCodes.IsCountry(code))
        {
            Add(field, $"{code} is not an ISO 3166-1 country code (user-assigned and reserved codes are refused; XK stands for Kosovo)");
            return null;
        }

        return code;
    }

    /// <summary>
    /// A BCP 47 language tag (RFC 5646) whose language is real: the primary subtag is an ISO 639-1 code, or an ISO 639-3
    /// code of a language without one (so "kor" is refused for "ko"); a script subtag is ISO 15924, a region ISO 3166-1
    /// or a UN M.49 area (three digits). Returns the tag in its conventional case (ko-Kore-KP), or null when bad.
    /// </summary>
    public string? LanguageTag(string field, string? value)
    {
        var tag = value?.Trim() ?? "";
        var match = LanguageTagShape().Match(tag);
        if (!match.Success)
        {
            Add(field, "must be a BCP 47 language tag, e.g. ko or ru");
            return null;
        }

        var language = match.Groups["language"].Value.ToLowerInvariant();
        if (!IsoCodes.IsLanguage(language))
        {
            Add(field, IsoCodes.ShorterLanguage(language) is { } shorter
                ? $"BCP 47 writes this language '{shorter}', not '{language}'"
                : $"'{language}' is not an ISO 639 language code");
            return null;
        }

        var parts = new List<string> { language };
        if (match.Groups["script"].Success)
        {
            var script = char.ToUpperInvariant(match.Groups["script"].Value[0]) + match.Groups["script"].Value[1..].ToLowerInvariant();
            if (!IsoCodes.IsScript(script))
            {
                Add(field, $"'{script}' is not an ISO 15924 script code");
                return null;
            }

            parts.Add(script);
        }

        if (match.Groups["region"].Success)
        {
            var region = match.Groups["region"].Value.ToUpperInvariant();
            if (region.All(char.IsAsciiLetter) && !IsoCodes.IsCountry(region))
            {
                Add(field, $"'{region}' is not an ISO 3166-1 country code");
                return null;
            }

            parts.Add(region);
        }

        if (match.Groups["rest"].Success && match.Groups["rest"].Length > 0)
        {
            parts.Add(match.Groups["rest"].Value.TrimStart('-').ToLowerInvariant());
        }

        return string.Join('-', parts);
    }

    [GeneratedRegex(@"^(?<language>[A-Za-z]{2,3})(-(?<script>[A-Za-z]{4}))?(-(?<region>[A-Za-z]{2}|[0-9]{3}))?(?<rest>(-[A-Za-z0-9]{5,8}|-[0-9][A-Za-z0-9]{3})*)$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTagShape();

    /// <summary>A page size: every list is bounded, so 0 and huge values are refused rather than guessed at.</summary>
    public int PageSize(string field, int value, int max = PageTokens.MaxPageSize)
    {
        if (value < 1 || value > max)
        {
            Add(field, $"must be between 1 and {max}");
            return 1;
        }

        return value;
    }

    /// <summary>The position a page token of <paramref name="query"/> carries (<c>KeysetPaging</c> reads it); "" for the first page.</summary>
    public string PagePosition(string field, string? token, string query)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "";
        }

        if (PageTokens.TryRead(token, query, out string position))
        {
            return position;
        }

        Add(field, "is not a page token of this query; start again without one");
        return "";
    }

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw RpcErrors.InvalidArgument(_violations);
        }
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
