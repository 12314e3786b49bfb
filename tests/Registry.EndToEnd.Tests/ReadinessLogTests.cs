using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// A healthy start logs no error (a trial found "fail: … Health check masstransit-bus … Unhealthy … Not ready: not started"
/// in every service's first lines): readiness is logged when it changes (<see cref="Registry.ServiceDefaults.Health.ReadinessLog"/>).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ReadinessLogTests(RegistryFixture registry)
{
    [Fact]
    public async Task A_healthy_start_logs_ready_once_and_no_failed_health_check()
    {
        foreach (var service in new[] { registry.Intake, registry.Custody, registry.Medical })
        {
            // The publisher's first run is 5 s after start.
            await Eventually.TrueAsync(() => Task.FromResult(service.Output.Contains("Ready: ", StringComparison.Ordinal)), TimeSpan.FromSeconds(60),
                "the service's readiness logged", () => service.Output);
            Assert.DoesNotContain("fail: Microsoft.Extensions.Diagnostics.HealthChecks", service.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("warn: Registry.ServiceDefaults.Health.ReadinessLog", service.Output, StringComparison.Ordinal);
        }
    }
}
