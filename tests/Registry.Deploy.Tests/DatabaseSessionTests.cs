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
    [InlineData(Database + ";Options=--jit=on", "--jit=on")]
    [InlineData(Database + ";Options=-cjit=on", "-cjit=on")]
    [InlineData(Database + ";Options=-c jit_above_cost=500000", "-c jit_above_cost=500000 -c jit=off")]
    [InlineData(Database + ";Options=-c application_name=jitney", "-c application_name=jitney -c jit=off")]
    public void Sessions_open_with_jit_off_unless_the_connection_string_says_otherwise(string connectionString, string options) =>
        Assert.Equal(options, new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithJitOff(connectionString)).Options);

    [Fact]
    public void Options_from_pgoptions_are_carried_over_not_lost() =>
        Assert.Equal("-c statement_timeout=5000 -c jit=off",
            new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithJitOff(Database, "-c statement_timeout=5000")).Options);

    [Fact]
    public void Pgoptions_that_set_jit_are_left_to_npgsql() =>
        Assert.Equal(Database, RegistryDatabase.WithJitOff(Database, "-c jit=on"));

    [Fact]
    public void The_connection_strings_own_options_win_over_pgoptions() =>
        Assert.Equal("-c search_path=x -c jit=off",
            new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithJitOff(Database + ";Options=-c search_path=x", "-c statement_timeout=5000")).Options);
}
