using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// Something that reads a state worth a gauge (a backlog, a count of overdue duties) from a store or the broker and keeps
/// the value for its observable gauge. A read of a store costs a query, so it is not done at each collection (a
/// scrape every few seconds, per replica) but every <see cref="GaugeProbeSettings.Interval"/> by <see cref="GaugeProbeService"/>.
/// </summary>
public interface IGaugeProbe
{
    /// <summary>
    /// Reads the state now and stores it for the gauge; throws if the store cannot be read (the last value then stays, and
    /// <c>registry.metrics.probe.age</c> grows: see <see cref="GaugeProbeService"/>).
    /// </summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}

/// <summary>How often the probes read (configuration <c>Telemetry:Metrics:ProbeInterval</c>, a TimeSpan; default 15 s).</summary>
public sealed record GaugeProbeSettings(TimeSpan Interval)
{
    public const string IntervalKey = "Telemetry:Metrics:ProbeInterval";

    /// <exception cref="InvalidConfigurationException">The interval is zero, negative or too long (naming the key).</exception>
    public static GaugeProbeSettings From(IConfiguration configuration) =>
        new(DurationSetting.Positive(configuration.GetSection("Telemetry:Metrics"), "ProbeInterval", TimeSpan.FromSeconds(15)));
}

/// <summary>
/// Runs every <see cref="IGaugeProbe"/> of the process at start and then every interval, on the service's clock, each with
/// a bound of its own (<see cref="ProbeTimeout"/>: a broker or database that does not answer cannot hold the others up).
/// <c>registry.metrics.probe.age</c> (gauge, s; tag <c>registry.probe</c>) is how long ago each probe last read
/// successfully: while a store cannot be read its gauges keep their last value, and this age says how old that is
/// (the RegistryMetricsStale alert).
/// </summary>
public sealed class GaugeProbeService(
    IEnumerable<IGaugeProbe> probes, GaugeProbeSettings settings, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<GaugeProbeService> logger)
    : BackgroundService
{
    /// <summary>The longest one probe's reading may take.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset At, TimeProvider Clock)> LastRead = new();

    public static readonly System.Diagnostics.Metrics.ObservableGauge<double> ProbeAge = RegistryTelemetry.Meter.CreateObservableGauge(
        "registry.metrics.probe.age",
        () => LastRead.Select(r => new System.Diagnostics.Metrics.Measurement<double>(
            Math.Max(0, (r.Value.Clock.GetUtcNow() - r.Value.At).TotalSeconds), new KeyValuePair<string, object?>("registry.probe", r.Key))),
        "s", "How long ago each gauge probe last read its store or the broker");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not before the host started: its databases are migrated by then (the embedded host migrates at start).
        var hostStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => hostStarted.TrySetResult()))
        using (stoppingToken.Register(() => hostStarted.TrySetCanceled(stoppingToken)))
        {
            await hostStarted.Task;
        }

        var started = clock.GetUtcNow();
        foreach (var probe in probes)
        {
            LastRead.TryAdd(Name(probe), (started, clock));
        }

        using var timer = new PeriodicTimer(settings.Interval, clock);
        do
        {
            foreach (var probe in probes)
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                bound.CancelAfter(ProbeTimeout);
                try
                {
                    await probe.RefreshAsync(bound.Token);
                    LastRead[Name(probe)] = (clock.GetUtcNow(), clock);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("The gauge probe {Probe} could not read: {Error}", Name(probe), ex.Message);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>The probe's name as the age gauge tags it: its type without generic arity, and the store (<c>OutboxBacklogProbe/IntakeDbContext</c>).</summary>
    private static string Name(IGaugeProbe probe)
    {
        var type = probe.GetType();
        var name = type.Name.Split('`')[0];
        return type.IsGenericType ? $"{name}/{string.Join(",", type.GetGenericArguments().Select(a => a.Name))}" : name;
    }
}

public static class GaugeProbeRegistration
{
    /// <summary>Adds a probe (and, once, the service that runs them all).</summary>
    public static IServiceCollection AddGaugeProbe<TProbe>(this IServiceCollection services) where TProbe : class, IGaugeProbe
    {
        services.TryAddSingleton(sp => GaugeProbeSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGaugeProbe, TProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GaugeProbeService>());
        return services;
    }
}
