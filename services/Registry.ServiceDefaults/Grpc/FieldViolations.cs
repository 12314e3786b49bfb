using System.Text;
using Google.Rpc;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Collects every bad field of a request, so that a caller learns all of them at once,
/// then throws one InvalidArgument naming them.
/// </summary>
public sealed class FieldViolations
{
    /// <summary>0001-01-01 and 9999-12-31T23:59:59Z, the range google.protobuf.Timestamp allows.</summary>
    private const long MinTimestampSeconds = -62135596800;
    private const long MaxTimestampSeconds = 253402300799;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    public bool Any => _violations.Count > 0;

    public void Add(string field, string description) =>
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });

    /// <summary>
    /// A free-text field: required or not, at most <paramref name="maxLength"/> characters, no
    /// control characters, no lone surrogates (invalid UTF-16 cannot be stored or exported).
    /// Returns the trimmed value, or null when absent.
    /// </summary>
    public string? Text(string field, string? value, int maxLength, bool required)
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

        if (trimmed.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Add(field, "must not contain control characters");
        }
        else if (!IsWellFormed(trimmed))
        {
            Add(field, "must be well-formed Unicode");
        }
        else if (trimmed.Contains('\uFFFD'))
        {
            // What a decoder leaves where the client sent bytes that were not UTF-8: the text is already lost.
            Add(field, "must be valid UTF-8 (contains a replacement character)");
        }
        else
        {
            return trimmed.Normalize(NormalizationForm.FormC);
        }

        return null;
    }

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

        if (Guid.TryParse(value, out var id))
        {
            return id;
        }

        Add(field, "must be a UUID");
        return null;
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
    /// When something happened: a valid timestamp, not in the future (a few minutes of clock skew
    /// allowed). Returns it at the microsecond precision the stores keep, or null when absent or bad.
    /// <paramref name="fromUnixEpoch"/> also refuses anything before 1970 as not a valid timestamp.
    /// </summary>
    public DateTimeOffset? PastTimestamp(
        string field, Google.Protobuf.WellKnownTypes.Timestamp? value, DateTimeOffset now, bool required, bool fromUnixEpoch = false)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        if (value.Seconds < (fromUnixEpoch ? 0 : MinTimestampSeconds) || value.Seconds > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            Add(field, "is not a valid timestamp");
            return null;
        }

        var at = value.ToDateTimeOffset();
        if (at > now + ClockSkew)
        {
            Add(field, "must not be in the future");
            return null;
        }

        return Data.StoredTime.ToMicroseconds(at);
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

    /// <summary>An ISO 3166-1 alpha-2 country code in capitals (e.g. KP, UA).</summary>
    public string? CountryCode(string field, string? value, bool required)
    {
        var code = Text(field, value, 2, required);
        if (code is not null && !(code.Length == 2 && code.All(char.IsAsciiLetterUpper)))
        {
            Add(field, "must be an ISO 3166-1 alpha-2 code in capitals, e.g. UA");
            return null;
        }

        return code;
    }

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
