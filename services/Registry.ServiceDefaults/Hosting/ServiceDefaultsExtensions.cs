using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Health;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Hosting;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Telemetry, health, the gRPC server with the registry's call bounds and error mapping, reflection,
    /// the clock and the service's two ports.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.AddRegistryTelemetry(serviceName);
        builder.AddRegistryHealth();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddRegistryGrpcServer();
        builder.Services.AddGrpcReflection();
        builder.Services.AddMalformedRequestChecks();

        var ports = builder.Configuration.GetSection(ServicePorts.Section).Get<ServicePorts>();
        if (ports is { Grpc: > 0, Http: > 0 })
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.ListenAnyIP(ports.Grpc, o => o.Protocols = HttpProtocols.Http2);
                kestrel.ListenAnyIP(ports.Http, o => o.Protocols = HttpProtocols.Http1);
            });
        }

        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapRegistryHealth();
        app.MapGrpcReflectionService();
        return app;
    }
}
