using Microsoft.Extensions.Configuration;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Deploy.Tests;

/// <summary>
/// Calls stuck behind a lock must not starve the database pool: a service's bound on a call stays shorter
/// than the pool's wait for a free session, or the service refuses to start.
/// </summary>
public sealed class CallBoundSettingsTests
{
    private const string Database = "Host=127.0.0.1;Database=intake;Username=registry;Password=registry";

    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

    [Fact]
    public void The_default_bound_ends_stuck_calls_before_a_waiting_call_gives_up_on_the_pool()
    {
        var defaults = GrpcCallOptions.From(Settings());

        Assert.True(defaults.MaxUnaryCallTimeout < TimeSpan.FromSeconds(new Npgsql.NpgsqlConnectionStringBuilder(Database).Timeout));
        RegistryDatabase.EnsureCallsEndBeforePoolWait(Settings(), "Intake", Database);
    }

    [Fact]
    public void A_bound_as_long_as_the_pool_wait_is_refused_at_start_naming_both()
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() =>
            RegistryDatabase.EnsureCallsEndBeforePoolWait(Settings(("Grpc:MaxUnaryCallTimeout", "00:00:15")), "Intake", Database));

        Assert.Contains("Grpc:MaxUnaryCallTimeout", refused.Message);
        Assert.Contains("ConnectionStrings:Intake", refused.Message);
    }

    [Fact]
    public void A_longer_bound_is_accepted_with_a_longer_pool_wait()
    {
        RegistryDatabase.EnsureCallsEndBeforePoolWait(
            Settings(("Grpc:UnaryCallTimeout", "00:00:30"), ("Grpc:MaxUnaryCallTimeout", "00:01:00")), "Intake", Database + ";Timeout=90");
    }

    [Fact]
    public void Bulk_calls_as_many_as_the_pool_has_sessions_are_refused_at_start_naming_both()
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() =>
            RegistryDatabase.EnsureCallsEndBeforePoolWait(Settings(("Grpc:MaxConcurrentBulkCalls", "10")), "Intake", Database + ";Maximum Pool Size=10"));

        Assert.Contains("Grpc:MaxConcurrentBulkCalls", refused.Message);
        Assert.Contains("ConnectionStrings:Intake", refused.Message);
        RegistryDatabase.EnsureCallsEndBeforePoolWait(Settings(("Grpc:MaxConcurrentBulkCalls", "9")), "Intake", Database + ";Maximum Pool Size=10");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    public void Bulk_call_slots_out_of_range_stop_the_service_naming_the_key(string value)
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() => GrpcCallOptions.From(Settings(("Grpc:MaxConcurrentBulkCalls", value))));

        Assert.Contains("Grpc:MaxConcurrentBulkCalls", refused.Message);
    }

    [Theory]
    [InlineData("UnaryCallTimeout", "00:00:00")]
    [InlineData("BulkCallTimeout", "-00:00:01")]
    [InlineData("MaxUnaryCallTimeout", "-00:00:01")]
    [InlineData("KeepAlivePingDelay", "30.00:00:00")]
    public void A_duration_that_is_not_positive_or_too_long_for_a_timer_stops_the_service_naming_its_key(string key, string value)
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() => GrpcCallOptions.From(Settings(($"Grpc:{key}", value))));

        Assert.Contains($"Grpc:{key}", refused.Message);
    }
}
