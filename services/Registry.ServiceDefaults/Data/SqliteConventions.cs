using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Registry.ServiceDefaults.Data;

public static class SqliteConventions
{
    /// <summary>
    /// SQLite has no instant type, and EF Core cannot compare or order DateTimeOffset stored as
    /// text. The registry stores UTC only, so an instant is kept as its UTC ticks: ordered,
    /// comparable, and exact to the 100 ns a .NET value carries.
    /// </summary>
    public static void UseRegistrySqliteConventions(this ModelConfigurationBuilder conventions)
    {
        conventions.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks,
        ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
}
