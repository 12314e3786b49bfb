using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// The stores keep instants in UTC. Instants are normalised where they enter a service (gRPC timestamps
/// are UTC; bus messages are read through <see cref="Messaging.UtcInstantJsonConverter"/>); this
/// convention is the second line: whatever a handler hands the store, an instant with an offset is
/// written (and compared in queries) as the same instant in UTC, so Npgsql's refusal of a non-UTC
/// <c>timestamptz</c> can never turn a correct value into a failure that no retry cures. The SQLite
/// stores keep UTC ticks (<see cref="SqliteConventions"/>), which has the same effect.
/// </summary>
public static class UtcInstants
{
    public static void UseUtcInstants(this ModelConfigurationBuilder conventions)
    {
        conventions.Properties<DateTimeOffset>().HaveConversion<ToUtcConverter>();
    }

    private sealed class ToUtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        value => value.ToUniversalTime(),
        value => value.ToUniversalTime());
}
