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
    /// <summary>Reads the state now and stores it for the gauge; throws if the store cannot be read (the last value then stays, and the age of the reading says so).</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}

/// <summary>How often the probes read (configuration <c>Telemetry:Metrics:ProbeInterval</c>, a TimeSpan; default 15 s).</summary>
public sealed record GaugeProbeSettings(TimeSpan Interval)
{
    public const string IntervalKey = "Telemetry:Metrics:ProbeInterval";

    /// <exception cref="InvalidOperationException">The interval is zero, negative or too long (naming the key).</exception>
    public static GaugeProbeSettings From(IConfiguration configuration) =>
        new(DurationSetting.Positive(configuration.GetSection("Telemetry:Metrics"), "ProbeInterval", TimeSpan.FromSeconds(15)));
}

/// <summary>Runs every <see cref="IGaugeProbe"/> of the process at start and then every interval, on the service's clock.</summary>
public sealed class GaugeProbeService(IEnumerable<IGaugeProbe> probes, GaugeProbeSettings settings, TimeProvider clock, ILogger<GaugeProbeService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Interval, clock);
        do
        {
            foreach (var probe in probes)
            {
                try
                {
                    await probe.RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("The gauge probe {Probe} could not read: {Error}", probe.GetType().Name, ex.Message);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
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
