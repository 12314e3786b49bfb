using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Registry.ServiceDefaults.Telemetry;

public static class RegistryTelemetry
{
    /// <summary>The activity source for the registry's own spans (outbox dispatch, case-file fan-out).</summary>
    public static readonly ActivitySource Source = new("Registry");

    /// <summary>The meter of the registry's own metrics (<see cref="OutboxMetrics"/>).</summary>
    public static readonly Meter Meter = new("Registry");

    /// <summary>Tag naming the outbox (its DbContext) a publish came from; tells the services apart in one process.</summary>
    public const string OutboxStoreTag = "registry.outbox.store";

    /// <summary>The activity sources of incoming requests, outgoing calls and the bus, for a host that exports traces itself.</summary>
    public static readonly string[] ActivitySources =
        [Source.Name, "MassTransit", "Yarp.ReverseProxy", "Microsoft.AspNetCore", "System.Net.Http", "Grpc.Net.Client"];

    /// <summary>
    /// Traces, metrics and logs for one service. OTLP export is switched on by the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT variable, so nothing leaves the process unless an operator asks.
    /// </summary>
    public static IHostApplicationBuilder AddRegistryTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName,
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(tracing => tracing
                .AddSource(Source.Name)
                .AddSource("MassTransit")
                .AddSource("Yarp.ReverseProxy")
                .AddAspNetCoreInstrumentation(o => o.Filter = IsNotProbe)
                // Without this every gRPC call would have two client spans (gRPC and HttpClient).
                .AddGrpcClientInstrumentation(o => o.SuppressDownstreamInstrumentation = true)
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(Meter.Name)
                .AddNpgsqlInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    private static bool IsNotProbe(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/healthz")
        && !context.Request.Path.StartsWithSegments("/readyz")
        && !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health");
}
