using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Registry.Custody;
using Registry.Gateway;
using Registry.Identity;
using Registry.Identity.Clients;
using Registry.Identity.Server;
using Registry.Intake;
using Registry.Medical;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Telemetry;
using Registry.Testing;
using YamlDotNet.Serialization;

namespace Registry.Deploy.Tests;

/// <summary>
/// No Docker engine runs where the tests run, so docker-compose.yml is checked against the code:
/// every service, port and environment variable in it must be one the services actually read,
/// and every reference (databases, broker, backends, trace endpoint) must point at something the
/// file defines. A renamed configuration key or a moved port breaks this test, not a deployment.
/// </summary>
public sealed partial class ComposeFileTests
{
    private const string DashboardOtlpPort = "18889";
    private static readonly string Root = ServiceProcess.RepositoryRoot;
    private static readonly Dictionary<string, object> Compose = Load();
    private static readonly string[] RegistryServices = ["gateway", "intake", "custody", "medical"];

    /// <summary>The keys each service reads, taken from the code that reads them.</summary>
    private static readonly Dictionary<string, string[]> KeysByService = new()
    {
        ["intake"] = [$"ConnectionStrings:{IntakeModule.ConnectionName}", $"ConnectionStrings:{RegistryBus.ConnectionName}"],
        ["custody"] = [$"ConnectionStrings:{CustodyModule.ConnectionName}", $"ConnectionStrings:{RegistryBus.ConnectionName}", CustodyModule.MedicalAddressKey],
        ["medical"] = [$"ConnectionStrings:{MedicalModule.ConnectionName}", $"ConnectionStrings:{RegistryBus.ConnectionName}"],
        // Compose runs one replica of each service: the settings of several (ResolveDns, HealthCheckInterval) stay unset.
        ["gateway"] = typeof(BackendOptions).GetProperties().Where(p => p.CanWrite)
            .Where(p => p.Name is not (nameof(BackendOptions.ResolveDns) or nameof(BackendOptions.HealthCheckInterval)))
            .Select(p => $"{BackendOptions.Section}:{p.Name}").ToArray(),
    };

    private static readonly string[] EveryServiceKeys =
    [
        $"{ServicePorts.Section}:{nameof(ServicePorts.Grpc)}", $"{ServicePorts.Section}:{nameof(ServicePorts.Http)}", "OTEL_EXPORTER_OTLP_ENDPOINT",
        $"{RegistryAuthOptions.Section}:{nameof(RegistryAuthOptions.Authority)}", $"{RegistryAuthOptions.Section}:{nameof(RegistryAuthOptions.RequireHttpsMetadata)}",
        $"{RegistryAuthOptions.Section}:{nameof(RegistryAuthOptions.DisabledClients)}",
    ];

    /// <summary>What the authorization server reads besides its clients (Identity:Clients:N:…, checked by <see cref="ConfiguredClients"/>).</summary>
    private static readonly string[] IdentityKeys =
        [$"ConnectionStrings:{IdentityModule.ConnectionName}", $"{IdentitySettings.Section}:Issuer", $"{IdentitySettings.Section}:RequireHttps"];

    [Fact]
    public void The_compose_file_has_the_servers_the_four_services_and_a_trace_dashboard()
    {
        Assert.Subset(Services.Keys.ToHashSet(), new HashSet<string>(RegistryServices) { "postgres", "rabbitmq", "dashboard", "identity" });
        Assert.Contains("management", Scalar(Services["rabbitmq"], "image"));
        Assert.Contains("aspire-dashboard", Scalar(Services["dashboard"], "image"));
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("intake")]
    [InlineData("custody")]
    [InlineData("medical")]
    public void Every_environment_variable_is_a_key_the_service_reads_and_none_is_missing(string service)
    {
        var expected = KeysByService[service].Concat(EveryServiceKeys).ToHashSet();

        var actual = Environment(service).Keys.Select(k => k.Replace("__", ":")).ToHashSet();

        Assert.Equal(expected.Order(), actual.Order());
    }

    [Fact]
    public void The_authorization_server_reads_its_keys_and_serves_the_demo_agencies_clients_with_marked_development_secrets()
    {
        var environment = Environment("identity").Keys.Select(k => k.Replace("__", ":")).ToList();
        var expected = IdentityKeys.Concat(EveryServiceKeys).ToHashSet();
        Assert.Equal(expected.Order(), environment.Where(k => !k.StartsWith(ConfiguredClients.Section + ":", StringComparison.Ordinal)).Order());

        var configuration = Configuration("identity");
        var clients = ConfiguredClients.From(configuration);
        Assert.All(clients, c => c.Client.Validate());
        Assert.Equal(RegistryRoles.All.Order(), clients.SelectMany(c => c.Client.Roles).Distinct().Order());
        // No secret in the repository beyond a clearly marked development default (QUALITY.md "Security").
        Assert.All(clients, c => Assert.Matches(@"^\$\{[A-Z_]+_SECRET:-development-only-[a-z-]+\}$", c.Secret));

        var settings = IdentitySettings.From(configuration);
        Assert.False(settings.RequireHttps);
        Assert.Equal(("identity", Ports("identity").Http), (settings.Issuer.Host, settings.Issuer.Port));
        Assert.Contains("Database=identity;", configuration.GetConnectionString(IdentityModule.ConnectionName));
        Assert.Equal([$"127.0.0.1:5184:{Ports("identity").Http}"], Sequence(Services["identity"], "ports"));
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("intake")]
    [InlineData("custody")]
    [InlineData("medical")]
    [InlineData("identity")]
    public void Every_service_validates_tokens_of_the_authorization_server_the_file_defines(string service)
    {
        var auth = RegistryAuthOptions.From(Configuration(service));
        var issuer = IdentitySettings.From(Configuration("identity")).Issuer;
        Assert.Equal(issuer, new Uri(auth.Authority));
        Assert.False(auth.HttpsMetadataRequired);
        // The list of disabled clients is the authority's own endpoint, by the name this network reaches it by (the
        // appsettings default, 127.0.0.1, is the container itself: disables would never reach the service).
        Assert.Equal(new Uri(issuer, DisabledClientsEndpoint.Path.TrimStart('/')), new Uri(auth.DisabledClients!));
        if (service != "identity")
        {
            Assert.Contains(("identity", "service_healthy"), DependsOn(service));
        }
    }

    [Theory]
    [InlineData("intake")]
    [InlineData("custody")]
    [InlineData("medical")]
    public void Each_service_reaches_its_own_database_and_the_broker_the_file_defines(string service)
    {
        var configuration = Configuration(service);
        var database = configuration.GetConnectionString(KeysByService[service][0].Split(':')[1])!;
        Assert.Contains("Host=postgres;", database);
        var name = Regex.Match(database, "Database=([a-z]+)").Groups[1].Value;
        Assert.Equal(service, name);
        Assert.Contains($"CREATE DATABASE {name};", File.ReadAllText(Path.Combine(Root, "deploy", "compose", "postgres-init.sql")));

        var broker = RabbitMqAddress.Parse(configuration.GetConnectionString(RegistryBus.ConnectionName)!);
        var rabbit = Environment("rabbitmq");
        Assert.Equal(("rabbitmq", rabbit["RABBITMQ_DEFAULT_USER"], rabbit["RABBITMQ_DEFAULT_PASS"]), (broker.Host, broker.Username, broker.Password));
        Assert.Equal(["identity", "postgres", "rabbitmq"], DependsOn(service).Where(d => d.Condition == "service_healthy").Select(d => d.Service).Order());
    }

    [Fact]
    public void The_gateway_reaches_each_service_on_the_grpc_port_that_service_listens_on()
    {
        var backends = BackendOptions.From(Configuration("gateway"));

        foreach (var (service, addresses) in new[] { ("intake", backends.Intake), ("custody", backends.Custody), ("medical", backends.Medical) })
        {
            var address = Assert.Single(addresses.Replicas);
            Assert.Equal(service, address.Host);
            Assert.Equal(Ports(service).Grpc, address.Port);
            Assert.Contains((service, "service_healthy"), DependsOn("gateway"));
        }
    }

    [Fact]
    public void Custody_asks_medical_on_the_grpc_port_medical_listens_on()
    {
        var address = new Uri(Configuration("custody")[CustodyModule.MedicalAddressKey]!);

        Assert.Equal(("medical", Ports("medical").Grpc), (address.Host, address.Port));
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("intake")]
    [InlineData("custody")]
    [InlineData("medical")]
    public void Ports_health_checks_and_trace_export_match_what_each_service_listens_on(string service)
    {
        var ports = Ports(service);
        var health = string.Join(" ", Sequence(Map(Services[service])["healthcheck"], "test"));
        Assert.Contains($"/dev/tcp/127.0.0.1/{ports.Http}", health);
        Assert.Contains("/readyz", health);

        var otlp = new Uri(Environment(service)["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal(("dashboard", DashboardOtlpPort), (otlp.Host, otlp.Port.ToString()));

        var build = Map(Map(Services[service])["build"]);
        var args = Map(build["args"]);
        Assert.True(File.Exists(Path.Combine(Root, (string)args["PROJECT"], $"{args["ASSEMBLY"]}.csproj")), $"{service}'s build args name its project");
        Assert.True(File.Exists(Path.Combine(Root, (string)build["dockerfile"])));
    }

    [Fact]
    public void The_gateway_publishes_its_grpc_and_health_ports_and_nothing_else_does()
    {
        var ports = Ports("gateway");

        var published = Sequence(Services["gateway"], "ports").Select(p => int.Parse(p.Split(':')[^1])).Order().ToArray();

        Assert.Equal(new[] { ports.Grpc, ports.Http }.Order(), published);
        Assert.All(new[] { "intake", "custody", "medical", "postgres" }, s => Assert.False(Map(Services[s]).ContainsKey("ports"), $"{s} publishes no port"));
    }

    [Fact]
    public void Prometheus_scrapes_every_registry_process_at_its_HTTP_port_and_loads_the_alerts_Grafana_shows_the_dashboard()
    {
        Assert.Contains("./deploy/prometheus:/etc/prometheus:ro", Sequence(Services["prometheus"], "volumes"));
        var config = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(
            File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "prometheus", "prometheus.yml")))!;
        Assert.Contains("/etc/prometheus/alerts.yml", ((List<object>)config["rule_files"]).Cast<string>());
        var targets = ((List<object>)config["scrape_configs"]).Cast<Dictionary<object, object>>().ToDictionary(
            job => (string)job["job_name"],
            job => ((List<object>)((Dictionary<object, object>)((List<object>)job["static_configs"])[0])["targets"]).Cast<string>().Single());
        foreach (var service in RegistryServices.Append("identity"))
        {
            Assert.Equal($"{service}:{Ports(service).Http}", targets[$"registry-{service}"]);
            Assert.True(RegistryTelemetry.PrometheusEnabled(Configuration(service)), $"{service} serves {RegistryTelemetry.MetricsPath}");
        }

        Assert.Contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro", Sequence(Services["grafana"], "volumes"));
        Assert.Contains("./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro", Sequence(Services["grafana"], "volumes"));
        Assert.True(File.Exists(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "grafana", "dashboards", "registry-overview.json")));
    }

    private static Dictionary<string, object> Services => Map(Compose["services"]);

    private static ServicePorts Ports(string service) =>
        Configuration(service).GetSection(ServicePorts.Section).Get<ServicePorts>()!;

    private static IConfiguration Configuration(string service) =>
        new ConfigurationBuilder().AddInMemoryCollection(Environment(service).ToDictionary(e => e.Key.Replace("__", ":"), e => (string?)e.Value)).Build();

    private static Dictionary<string, string> Environment(string service) =>
        Map(Map(Services[service])["environment"]).ToDictionary(e => e.Key, e => (string)e.Value);

    private static List<(string Service, string Condition)> DependsOn(string service) =>
        Map(Map(Services[service])["depends_on"]).Select(d => (d.Key, (string)Map(d.Value)["condition"])).ToList();

    private static string Scalar(object node, string key) => (string)Map(node)[key];

    private static List<string> Sequence(object node, string key) => ((List<object>)Map(node)[key]).Cast<string>().ToList();

    private static Dictionary<string, object> Map(object node) =>
        ((Dictionary<object, object>)node).ToDictionary(e => (string)e.Key, e => e.Value);

    private static Dictionary<string, object> Load()
    {
        var yaml = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        return Map(new DeserializerBuilder().Build().Deserialize<object>(yaml)!);
    }
}
