using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Health;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Hosting;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Telemetry, health, the gRPC server with the registry's call bounds and error mapping, reflection,
    /// the clock, the service's two ports, and JWT bearer authentication with the access table (section <c>Auth</c>).
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        InvalidConfiguration.ExitOnUnhandled(serviceName);
        builder.AddRegistryTelemetry(serviceName);
        builder.AddRegistryHealth();
        builder.Services.AddSingleton(new RegistryServiceName(serviceName));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRegistryAuthentication(builder.Configuration);
        builder.AddRegistryGrpcServer();
        builder.Services.AddGrpcReflection();
        builder.Services.AddMalformedRequestChecks();

        var ports = builder.Configuration.GetSection(ServicePorts.Section).Get<ServicePorts>();
        if (ports is { Grpc: > 0, Http: > 0 })
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.ListenAnyIP(ports.Grpc, o =>
                {
                    if (string.IsNullOrEmpty(ports.GrpcCertificatePath))
                    {
                        o.Protocols = HttpProtocols.Http2;
                        return;
                    }

                    o.Protocols = HttpProtocols.Http1AndHttp2;
                    o.UseHttps(ports.GrpcCertificateKeyPath is { Length: > 0 } key
                        ? X509Certificate2.CreateFromPemFile(ports.GrpcCertificatePath, key)
                        : X509CertificateLoader.LoadPkcs12FromFile(ports.GrpcCertificatePath, ports.GrpcCertificatePassword));
                });
                kestrel.ListenAnyIP(ports.Http, o => o.Protocols = HttpProtocols.Http1);
            });
        }

        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseRegistryAuthentication();
        app.MapRegistryHealth();
        if (RegistryTelemetry.PrometheusEnabled(app.Configuration))
        {
            // On the HTTP/1.1 port only (the private network's), never on a public gRPC/TLS port.
            var metrics = app.MapPrometheusScrapingEndpoint(RegistryTelemetry.MetricsPath);
            if (app.Configuration.GetSection(ServicePorts.Section).Get<ServicePorts>() is { Http: > 0 } ports)
            {
                metrics.RequireHost($"*:{ports.Http}");
            }
        }

        // Open by default so grpcurl and buf curl work without the .proto files (ARCHITECTURE.md); Grpc:Reflection=false hides it.
        if (app.Configuration.GetValue("Grpc:Reflection", true))
        {
            app.MapGrpcReflectionService();
        }
        return app;
    }
}
