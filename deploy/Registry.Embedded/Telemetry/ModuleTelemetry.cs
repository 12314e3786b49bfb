using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Embedded.Telemetry;

/// <summary>
/// In one process every span would carry one service name. So that the dashboard still shows a
/// registration crossing gateway, intake, custody and medical, spans are exported by one tracer
/// provider per service, each with its own resource and a processor that keeps only that
/// service's spans. Metrics and logs go out once, as the "registry" process.
/// </summary>
public static partial class ModuleTelemetry
{
    private const string Host = "registry";
    private static readonly string[] Services = ["gateway", "intake", "custody", "medical"];

    public static IHostApplicationBuilder AddModuleTelemetry(this IHostApplicationBuilder builder, EmbeddedOptions options)
    {
        var otlp = new OtlpExporterOptions { Endpoint = options.DashboardOtlpAddress, Protocol = OtlpExportProtocol.Grpc };
        var modulesByPort = new Dictionary<int, string>
        {
            [options.GatewayPort] = "gateway",
            [options.IntakePort] = "intake",
            [options.CustodyPort] = "custody",
            [options.MedicalPort] = "medical",
        };

        // The servers' sampling (Telemetry:Tracing:SampleRatio, parent-based) unless OTEL_TRACES_SAMPLER says otherwise: by trace
        // id, so every module's provider keeps or drops the same traces.
        var ratio = RegistryTelemetry.SampleRatio(builder.Configuration[RegistryTelemetry.SampleRatioKey]);
        var sampled = string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]);
        var providers = Services.Append(Host).Select(service =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService(service, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
                .AddSource(RegistryTelemetry.ActivitySources)
                .AddProcessor(new ServiceSpanExportProcessor(
                    span => (ServiceOf(span, modulesByPort) ?? Host) == service,
                    new OtlpTraceExporter(otlp)));
            return (sampled ? tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio))) : tracing).Build();
        }).ToList();
        builder.Services.AddHostedService(_ => new ModuleTracerProviders(providers));

        builder.Services.AddOpenTelemetry()
            // The registry's own meter (registry.outbox.parked, …), as AddRegistryTelemetry adds it in the server modes.
            .WithMetrics(metrics => metrics.AddMeter(RegistryTelemetry.Meter.Name).AddOtlpExporter(o => o.Endpoint = otlp.Endpoint))
            .WithLogging(logging => logging.AddOtlpExporter(o => o.Endpoint = otlp.Endpoint));
        return builder;
    }

    /// <summary>
    /// The service a span belongs to: a request by the port it arrived on, a consumer by its queue
    /// (each service's queues are named after it), an outbox publish by its store; anything else
    /// by its parent in this process.
    /// </summary>
    internal static string? ServiceOf(Activity span, IReadOnlyDictionary<int, string> modulesByPort)
    {
        for (var current = span; current is not null; current = current.Parent)
        {
            if (current.Kind == ActivityKind.Server && current.GetTagItem("server.port") is { } port
                && modulesByPort.TryGetValue(Convert.ToInt32(port), out var byPort))
            {
                return byPort;
            }

            if (current.GetTagItem(RegistryTelemetry.OutboxStoreTag) is string store)
            {
                return store.Replace("DbContext", "").ToLowerInvariant();
            }

            if (current.Kind == ActivityKind.Consumer)
            {
                foreach (var (_, value) in current.EnumerateTagObjects())
                {
                    if (value is string text && QueueOfService().Match(text) is { Success: true } match)
                    {
                        return match.Groups[1].Value;
                    }
                }
            }
        }

        return null;
    }

    [GeneratedRegex("(?:^|/)(intake|custody|medical|gateway)-")]
    private static partial Regex QueueOfService();

    private sealed class ServiceSpanExportProcessor(Func<Activity, bool> belongs, BaseExporter<Activity> exporter)
        : BatchActivityExportProcessor(exporter, scheduledDelayMilliseconds: 1000)
    {
        public override void OnEnd(Activity data)
        {
            if (belongs(data))
            {
                base.OnEnd(data);
            }
        }
    }

    /// <summary>Flushes and closes the per-service providers when the host stops.</summary>
    private sealed class ModuleTracerProviders(List<TracerProvider> providers) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            foreach (var provider in providers)
            {
                provider.Dispose();
            }

            return Task.CompletedTask;
        }
    }
}
