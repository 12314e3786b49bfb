using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Health;

public static class RegistryHealth
{
    /// <summary>Tag of the checks that decide readiness (database and broker reachable).</summary>
    public const string Ready = "ready";

    public static IHostApplicationBuilder AddRegistryHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        // Readiness is logged when it changes (ReadinessLog), not as an error for each unhealthy check at every run.
        builder.Services.AddSingleton<IHealthCheckPublisher, ReadinessLog>();
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        // grpc.health.v1: the overall ("") status follows the readiness checks.
        builder.Services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", result => result.Tags.Contains(Ready));
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapRegistryHealth(this IEndpointRouteBuilder app)
    {
        // Liveness runs no checks: a slow database must not get a live process restarted.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Ready) });
        app.MapGrpcHealthChecksService();
        return app;
    }
}
