using Microsoft.Extensions.Configuration;
using Registry.Identity.Server;
using Registry.ServiceDefaults.Hosting;
using Registry.Testing;
using YamlDotNet.Serialization;

namespace Registry.Identity.Tests;

/// <summary>
/// The <c>identity</c> service of docker-compose.yml checked against the code, as Registry.Deploy.Tests checks
/// the others: only keys the server reads, its own database, its health port, an issuer the other containers reach.
/// </summary>
public sealed class ComposeIdentityTests
{
    private static readonly Dictionary<object, object> Service = Load();

    [Fact]
    public void The_identity_service_sets_exactly_the_keys_the_server_reads()
    {
        var expected = new[]
        {
            $"ConnectionStrings:{IdentityModule.ConnectionName}", $"{IdentitySettings.Section}:Issuer", $"{IdentitySettings.Section}:RequireHttps",
            $"{ServicePorts.Section}:Grpc", $"{ServicePorts.Section}:Http", "OTEL_EXPORTER_OTLP_ENDPOINT",
        };

        Assert.Equal(expected.Order(), Environment().Keys.Select(k => k.Replace("__", ":")).Order());
    }

    [Fact]
    public void It_uses_its_own_database_and_an_issuer_on_its_http_port_which_it_publishes_and_probes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Environment().ToDictionary(e => e.Key.Replace("__", ":"), e => (string?)e.Value)).Build();
        var settings = IdentitySettings.From(configuration);
        var ports = configuration.GetSection(ServicePorts.Section).Get<ServicePorts>()!;

        Assert.Contains("Host=postgres;Database=identity;", configuration.GetConnectionString(IdentityModule.ConnectionName));
        Assert.Contains("CREATE DATABASE identity;", File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "compose", "postgres-init.sql")));
        Assert.Equal(("identity", ports.Http), (settings.Issuer.Host, settings.Issuer.Port));
        Assert.Equal([$"127.0.0.1:5184:{ports.Http}"], ((List<object>)Service["ports"]).Cast<string>());
        Assert.Contains($"/dev/tcp/127.0.0.1/{ports.Http}", string.Join(" ", ((List<object>)((Dictionary<object, object>)Service["healthcheck"])["test"]).Cast<string>()));
        var args = (Dictionary<object, object>)((Dictionary<object, object>)Service["build"])["args"];
        Assert.True(File.Exists(Path.Combine(ServiceProcess.RepositoryRoot, (string)args["PROJECT"], $"{args["ASSEMBLY"]}.csproj")));
    }

    private static Dictionary<string, string> Environment() =>
        ((Dictionary<object, object>)Service["environment"]).ToDictionary(e => (string)e.Key, e => (string)e.Value);

    private static Dictionary<object, object> Load()
    {
        var yaml = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "docker-compose.yml"));
        var compose = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(yaml)!;
        return (Dictionary<object, object>)((Dictionary<object, object>)compose["services"])["identity"];
    }
}
