using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Reads every instant of a bus message as UTC: <c>2025-01-20T12:30:00+02:00</c> becomes
/// <c>2025-01-20T10:30:00Z</c>, the same instant. Events come from other services and other agencies'
/// systems, which may write local offsets (ISO 8601 / RFC 3339 allow any); the registry's stores keep
/// UTC only (PostgreSQL's <c>timestamptz</c> through Npgsql accepts offset 0 alone), so the offset is
/// dropped once, where a message enters a service. Writes are left as they are. Registered on the bus in
/// <see cref="RegistryBus.AddRegistryBus"/>; gRPC's <c>google.protobuf.Timestamp</c> is UTC by definition.
/// </summary>
public sealed class UtcInstantJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (!reader.TryGetDateTimeOffset(out var value))
        {
            throw new JsonException($"'{reader.GetString()}' is not an ISO 8601 instant (e.g. 2025-01-20T10:30:00Z).");
        }

        // ToUniversalTime cannot overflow here: a DateTimeOffset's UTC part is always in range.
        return value.ToUniversalTime();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
