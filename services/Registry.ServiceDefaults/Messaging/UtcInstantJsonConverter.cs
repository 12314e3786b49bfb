using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Reads every instant of a bus message as UTC: <c>2025-01-20T12:30:00+02:00</c> becomes
/// <c>2025-01-20T10:30:00Z</c>, the same instant. Events come from other services and other agencies'
/// systems, which may write local offsets; the registry's stores keep UTC only (PostgreSQL's
/// <c>timestamptz</c> through Npgsql accepts offset 0 alone), so the offset is dropped once, where a
/// message enters a service. An instant must be an RFC 3339 date-time with its offset (<c>Z</c> or
/// <c>±hh:mm</c>): one without (<c>2025-01-20T12:30:00</c>, <c>2025-01-20</c>) would be read in the host's
/// own time zone, so it is refused, as is one outside <see cref="Earliest"/>..<see cref="Latest"/> (no
/// event of the registry lies there; <c>0001-01-01</c> and <c>9999-12-31</c> are placeholders, not
/// dates, and would overflow the Convention's clocks). A refusal is a <see cref="JsonException"/>: the
/// message goes to the error queue at the first attempt with this reason (<see cref="ConsumerRetry"/>).
/// Writes are left as they are. Registered on the bus in <see cref="RegistryBus.AddRegistryBus"/>; gRPC's
/// <c>google.protobuf.Timestamp</c> is UTC by definition.
/// </summary>
public sealed partial class UtcInstantJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The earliest instant a registry event may carry.</summary>
    public static readonly DateTimeOffset Earliest = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The first instant past the latest a registry event may carry.</summary>
    public static readonly DateTimeOffset Latest = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is null || !Rfc3339.IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw new JsonException(
                $"'{text ?? reader.TokenType.ToString()}' is not an RFC 3339 instant with its offset (e.g. 2025-01-20T10:30:00Z or 2025-01-20T12:30:00+02:00).");
        }

        var utc = value.ToUniversalTime();
        if (utc < Earliest || utc >= Latest)
        {
            throw new JsonException($"'{text}' lies outside the instants a registry event can carry ({Earliest:yyyy} to {Latest:yyyy}).");
        }

        return utc;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    // RFC 3339 section 5.6 date-time: full-date "T" full-time, the offset required ("Z" or +hh:mm / -hh:mm).
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();

    private static readonly Regex Rfc3339 = Rfc3339Pattern();
}
