using Registry.ServiceDefaults.Data;

namespace Registry.Deploy.Tests;

/// <summary>
/// The settings a service's PostgreSQL sessions open with (<see cref="RegistryDatabase.WithJitOff"/>); that a running
/// service's sessions have them is ImportCapturesTests.The_services_sessions_run_without_postgresqls_jit.
/// </summary>
public sealed class DatabaseSessionTests
{
    private const string Database = "Host=127.0.0.1;Database=intake;Username=registry;Password=registry";

    [Theory]
    [InlineData(Database, "-c jit=off")]
    [InlineData(Database + ";Options=-c search_path=registry", "-c search_path=registry -c jit=off")]
    [InlineData(Database + ";Options=-c jit=on", "-c jit=on")]
    public void Sessions_open_with_jit_off_unless_the_connection_string_says_otherwise(string connectionString, string options) =>
        Assert.Equal(options, new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithJitOff(connectionString)).Options);
}
