using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Telemetry;

public static class RegistryTelemetry
{
    /// <summary>The activity source for the registry's own spans (outbox dispatch, case-file fan-out).</summary>
    public static readonly ActivitySource Source = new("Registry");

    /// <summary>The meter of the registry's own metrics (<see cref="OutboxMetrics"/>).</summary>
    public static readonly Meter Meter = new("Registry");

    /// <summary>Tag naming the outbox (its DbContext) a publish came from; tells the services apart in one process.</summary>
    public const string OutboxStoreTag = "registry.outbox.store";

    /// <summary>On the publish span of a bundle (<c>CaseRegisteredBundle</c>): the message ids of its events, comma-separated.</summary>
    public const string BundledMessageIdsTag = "registry.bundle.message_ids";

    /// <summary>
    /// Starts the span of work done at once for several callers (a bundle of events, registrations committed together): in the
    /// trace of the first caller that is sampled (so a sampled caller's trace goes on even when it shares the work with
    /// unsampled ones), the other callers as span links (OpenTelemetry's messaging conventions for a batch).
    /// <paramref name="parentIndex"/> is the position of the caller chosen as parent (0 when none is sampled); a caller
    /// without a context (<c>default</c>) is neither parent nor link.
    /// </summary>
    public static Activity? StartBatchActivity(string name, IReadOnlyList<ActivityContext> callers, out int parentIndex)
    {
        parentIndex = 0;
        for (var i = 0; i < callers.Count; i++)
        {
            if ((callers[i].TraceFlags & ActivityTraceFlags.Recorded) != 0)
            {
                parentIndex = i;
                break;
            }
        }

        var parent = callers.Count == 0 ? default : callers[parentIndex];
        var links = callers.Where(c => c != default && c != parent).Select(c => new ActivityLink(c)).ToList();
        return Source.StartActivity(name, ActivityKind.Internal, parent, links: links);
    }

    /// <summary>The activity sources of incoming requests, outgoing calls and the bus, for a host that exports traces itself.</summary>
    public static readonly string[] ActivitySources =
        [Source.Name, "MassTransit", "Yarp.ReverseProxy", "Microsoft.AspNetCore", "System.Net.Http", "Grpc.Net.Client"];

    /// <summary>Configuration key of the trace sampling ratio (0 to 1, default 1): see <see cref="AddRegistryTelemetry"/>.</summary>
    public const string SampleRatioKey = "Telemetry:Tracing:SampleRatio";

    /// <summary>
    /// Traces, metrics and logs for one service. OTLP export is switched on by the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT variable, so nothing leaves the process unless an operator asks.
    /// <list type="bullet">
    /// <item><b>With an exporter</b>, spans are recorded and exported, sampled by OpenTelemetry's
    /// <c>ParentBased(TraceIdRatioBased(r))</c>: a trace started here is kept with probability <c>r</c>
    /// (<see cref="SampleRatioKey"/>, 0 to 1, default 1: every trace); a span with a parent follows the parent's
    /// decision (the W3C Trace Context <c>sampled</c> flag), so a trace is kept whole or not at all across gRPC and
    /// the bus. The standard <c>OTEL_TRACES_SAMPLER</c> / <c>OTEL_TRACES_SAMPLER_ARG</c>, when set, take precedence
    /// (the OpenTelemetry SDK reads them: OpenTelemetry specification, "SDK environment variables").</item>
    /// <item><b>Without one</b>, no trace starts here (<c>ParentBased(AlwaysOff)</c>), no SQL command makes a span, and
    /// no log record goes to an OpenTelemetry provider: nobody would read them, and recording every gRPC call, bus
    /// message and SQL command cost CPU on every request (issue 15). The trace context still flows: a call without a
    /// sampled caller gets propagation-only activities (ids, no tags, flag <c>00</c>); a call whose caller sampled its
    /// trace is recorded, because only a recorded span carries the <c>sampled</c> flag on (.NET clears it on a
    /// propagation-only activity), so that the next service that does export keeps the trace whole. A host that
    /// exports by other means (the embedded host's dashboard) adds its own tracer providers; they record what they
    /// sample.</item>
    /// </list>
    /// Metrics are kept either way (aggregated in memory, cheap).
    /// </summary>
    /// <exception cref="InvalidConfigurationException"><see cref="SampleRatioKey"/> is not a number from 0 to 1.</exception>
    public static IHostApplicationBuilder AddRegistryTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var ratio = SampleRatio(builder.Configuration[SampleRatioKey]);
        // The options of whichever OpenTelemetry log provider the host ends up with (this one, or the embedded host's).
        builder.Services.Configure<OpenTelemetryLoggerOptions>(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        if (exporting)
        {
            builder.Logging.AddOpenTelemetry();
        }

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName,
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(tracing =>
            {
                if (!exporting)
                {
                    tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
                }
                else if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]))
                {
                    tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)));
                }

                tracing
                    .AddSource(Source.Name)
                    .AddSource("MassTransit")
                    .AddSource("Yarp.ReverseProxy")
                    .AddAspNetCoreInstrumentation(o => o.Filter = IsNotProbe)
                    // Without this every gRPC call would have two client spans (gRPC and HttpClient).
                    .AddGrpcClientInstrumentation(o => o.SuppressDownstreamInstrumentation = true)
                    .AddHttpClientInstrumentation();
                if (exporting)
                {
                    tracing.AddNpgsql();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("MassTransit")
                    .AddMeter(Meter.Name)
                    .AddNpgsqlInstrumentation();
                if (PrometheusEnabled(builder.Configuration))
                {
                    // Every scrape reads the instruments now (the exporter caches a scrape 300 ms by default).
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });

        if (exporting)
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Configuration key of the Prometheus scraping endpoint (default true): <see cref="MetricsPath"/> on the service's
    /// HTTP/1.1 port (health; with no ports configured, the host's), in Prometheus' text format (OpenTelemetry's exporter
    /// names them by its rules: <c>registry.outbox.oldest.age</c> in seconds is <c>registry_outbox_oldest_age_seconds</c>,
    /// a counter gains <c>_total</c>).
    /// </summary>
    public const string PrometheusKey = "Telemetry:Metrics:Prometheus";

    /// <summary>Where Prometheus scrapes the metrics.</summary>
    public const string MetricsPath = "/metrics";

    public static bool PrometheusEnabled(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue(configuration, PrometheusKey, true);

    /// <summary>The ratio of <see cref="SampleRatioKey"/>: absent means 1 (every trace).</summary>
    /// <exception cref="InvalidConfigurationException">Not a number from 0 to 1.</exception>
    public static double SampleRatio(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 1.0;
        }

        if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ratio)
            || ratio is < 0 or > 1 || double.IsNaN(ratio))
        {
            throw new InvalidConfigurationException($"{SampleRatioKey} must be a number from 0 to 1 (the share of traces started here that are kept), not '{value}'.");
        }

        return ratio;
    }

    private static bool IsNotProbe(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/healthz")
        && !context.Request.Path.StartsWithSegments("/readyz")
        && !context.Request.Path.StartsWithSegments(MetricsPath)
        && !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health");
}
