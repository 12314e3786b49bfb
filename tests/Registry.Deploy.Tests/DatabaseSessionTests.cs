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

    [Fact]
    public void Sessions_prepare_statements_skip_the_reset_and_plan_each_execution()
    {
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithPreparedStatements(RegistryDatabase.WithJitOff(Database)));

        Assert.Equal(RegistryDatabase.AutoPreparedStatements, npgsql.MaxAutoPrepare);
        Assert.True(npgsql.NoResetOnClose);
        Assert.Equal("-c jit=off -c plan_cache_mode=force_custom_plan", npgsql.Options);
    }

    [Theory]
    [InlineData(Database + ";Max Auto Prepare=20", 20, "-c plan_cache_mode=force_custom_plan")]
    [InlineData(Database + ";Options=-c plan_cache_mode=auto", RegistryDatabase.AutoPreparedStatements, "-c plan_cache_mode=auto")]
    [InlineData(Database + ";Options=-c plan_cache_mode_x=1", RegistryDatabase.AutoPreparedStatements, "-c plan_cache_mode_x=1 -c plan_cache_mode=force_custom_plan")]
    public void The_connection_strings_own_preparation_and_plan_cache_settings_win(string connectionString, int maxAutoPrepare, string options)
    {
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithPreparedStatements(connectionString));

        Assert.Equal(maxAutoPrepare, npgsql.MaxAutoPrepare);
        Assert.Equal(options, npgsql.Options);
    }

    [Fact]
    public void Pgoptions_are_carried_over_when_jit_is_left_alone() =>
        Assert.Equal("-c jit=on -c plan_cache_mode=force_custom_plan",
            new Npgsql.NpgsqlConnectionStringBuilder(RegistryDatabase.WithPreparedStatements(RegistryDatabase.WithJitOff(Database, "-c jit=on"), "-c jit=on")).Options);
}
