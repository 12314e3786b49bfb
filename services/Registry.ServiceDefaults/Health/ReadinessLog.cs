using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Health;

/// <summary>
/// Logs the service's readiness when it changes, in place of the health-check service's line at every run of the checks
/// (<c>DefaultHealthCheckService</c> writes an error for each check found unhealthy, which its filter in
/// <see cref="RegistryHealth"/> turns off): during a start, before the database's check and the bus have come up, that
/// was an error on every first start of a healthy service ("masstransit-bus … Not ready: not started"), and during an
/// outage, one per probe. Here: not ready before the first ready report, Debug; ready, Information; unready after having
/// been ready, a Warning naming each failing check and why (no stack trace); ready again, Information. Runs on the health
/// check publisher's schedule (<see cref="HealthCheckPublisherOptions"/>: 5 s after start, then every 30 s), over the
/// readiness checks.
/// </summary>
public sealed class ReadinessLog(ILogger<ReadinessLog> logger) : IHealthCheckPublisher
{
    private HealthStatus? _last;
    private bool _beenReady;

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        // The checks readiness is made of (RegistryHealth.Ready: the database, the broker).
        var entries = report.Entries.Where(e => e.Value.Tags.Contains(RegistryHealth.Ready)).ToList();
        var ready = entries.All(e => e.Value.Status != HealthStatus.Unhealthy);
        var changed = _last is null || (_last != HealthStatus.Unhealthy) != ready;
        _last = ready ? HealthStatus.Healthy : HealthStatus.Unhealthy;
        if (!changed)
        {
            return Task.CompletedTask;
        }

        if (ready)
        {
            logger.LogInformation("Ready{Again}: {Checks}", _beenReady ? " again" : "", string.Join(", ", entries.Select(e => e.Key)));
            _beenReady = true;
        }
        else
        {
            var failing = string.Join("; ", entries.Where(e => e.Value.Status == HealthStatus.Unhealthy)
                .Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? "unhealthy"}"));
            logger.Log(_beenReady ? LogLevel.Warning : LogLevel.Debug, "Not ready{While}: {Failing}", _beenReady ? "" : " (starting)", failing);
        }

        return Task.CompletedTask;
    }
}
