using Microsoft.AspNetCore.Server.Kestrel.Core;
using Registry.Custody;
using Registry.Embedded.Credentials;
using Registry.Embedded.Dashboard;
using Registry.Embedded.Demo;
using Registry.Embedded.Telemetry;
using Registry.Gateway;
using Registry.Gateway.HttpJson;
using Registry.Identity;
using Registry.Intake;
using Registry.Medical;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Embedded;

/// <summary>
/// Composes the four services' modules and the authorization server (Registry.Identity) in one host, with the same service code, consumers, outbox
/// and inbox as in production: only the database provider (SQLite, a file per service) and the
/// transport (MassTransit's in-memory bus, one for all modules, each consumer on its own queue)
/// differ, chosen by configuration. Each service answers on its own port; the gateway reaches
/// them over gRPC on those ports, as it would across machines. The authorization server answers on its own
/// HTTP/1.1 port (<see cref="EmbeddedOptions.IdentityPort"/>) with the demo's development clients
/// (<see cref="DevelopmentClients"/>), and every module validates its tokens: no call without one.
/// </summary>
public static class EmbeddedHost
{
    public static WebApplication Build(string[] args)
    {
        // appsettings.json comes from the build output; the working directory is where the data goes.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = builder.Configuration.GetSection(EmbeddedOptions.Section).Get<EmbeddedOptions>() ?? new EmbeddedOptions();
        var firstRun = !Directory.Exists(options.DataPath);
        Directory.CreateDirectory(options.DataPath);
        if (!OperatingSystem.IsWindows())
        {
            // The databases hold the authorization server's signing key and the development secrets: owner only.
            File.SetUnixFileMode(options.DataPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var clients = DevelopmentClients.LoadOrCreate(options.DataPath, options.Authority);

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [RegistryDatabase.ProviderKey] = "Sqlite",
            [RegistryBus.TransportKey] = "InMemory",
            [$"ConnectionStrings:{IntakeModule.ConnectionName}"] = $"Data Source={options.DatabaseFile("intake")}",
            [$"ConnectionStrings:{CustodyModule.ConnectionName}"] = $"Data Source={options.DatabaseFile("custody")}",
            [$"ConnectionStrings:{MedicalModule.ConnectionName}"] = $"Data Source={options.DatabaseFile("medical")}",
            [$"ConnectionStrings:{IdentityModule.ConnectionName}"] = $"Data Source={options.DatabaseFile("identity")}",
            ["Identity:Issuer"] = options.Authority.ToString(),
            ["Identity:RequireHttps"] = "false",
            ["Auth:Authority"] = options.Authority.ToString(),
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:DisabledClients"] = new Uri(options.Authority, "registry/disabled-clients").ToString(),
            ["Services:Intake"] = $"http://127.0.0.1:{options.IntakePort}",
            ["Services:Custody"] = $"http://127.0.0.1:{options.CustodyPort}",
            ["Services:Medical"] = $"http://127.0.0.1:{options.MedicalPort}",
            // The HTTP/1.1 port alone (no gRPC port here: this host listens as configured below), so that /metrics answers
            // there only, as in the services' own processes.
            ["Ports:Grpc"] = "0",
            ["Ports:Http"] = options.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // Clients named in configuration (Identity:Clients:N:…, e.g. from the environment) keep their indices; the demo's follow them.
        var configured = builder.Configuration.GetSection(Registry.Identity.Clients.ConfiguredClients.Section).GetChildren().Count();
        builder.Configuration.AddInMemoryCollection(DevelopmentClients.AsConfiguration(clients, configured));

        builder.AddServiceDefaults("registry");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var port in new[] { options.GatewayPort, options.IntakePort, options.CustodyPort, options.MedicalPort })
            {
                kestrel.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2);
            }

            kestrel.ListenLocalhost(options.HttpPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.ListenLocalhost(options.IdentityPort, o => o.Protocols = HttpProtocols.Http1);
        });

        builder.AddIdentityServer();
        builder.AddIntake();
        builder.AddCustody();
        builder.AddMedical();
        builder.AddGateway();
        builder.AddRegistryBus();

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(clients);
        if (options.Dashboard)
        {
            builder.AddModuleTelemetry(options);
            builder.Services.AddHostedService<AspireDashboardProcess>();
        }

        if (options.Demo ?? firstRun)
        {
            builder.Services.AddHostedService<SeedStoryReplay>();
        }

        builder.Services.AddHostedService<StartupBanner>();

        var app = builder.Build();
        app.MapServiceDefaults();
        app.UseGateway();
        // Each module answers only on its own port, as its own process would.
        // HTTP/JSON only at the gateway (its gRPC port and the HTTP/1.1 port), as when each runs in its own process.
        app.MapGroup("").RequireHost($"*:{options.IntakePort}").WithoutHttpJson().MapIntake();
        app.MapGroup("").RequireHost($"*:{options.CustodyPort}").WithoutHttpJson().MapCustody();
        app.MapGroup("").RequireHost($"*:{options.MedicalPort}").WithoutHttpJson().MapMedical();
        app.MapGroup("").RequireHost($"*:{options.GatewayPort}", $"*:{options.HttpPort}").MapGateway();
        app.MapGroup("").RequireHost($"*:{options.IdentityPort}").MapIdentityServer();
        return app;
    }
}
