using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Registry.Gateway;
using Registry.Gateway.Forwarding;
using Registry.Protos.Custody.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;
using Xunit.Abstractions;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Deploy.Tests;

/// <summary>
/// The settings that let every service run in several replicas: the addresses of a service's replicas
/// (<see cref="ServiceAddresses"/>) and the gateway's clusters built from them, the queue type on RabbitMQ, and
/// migrations applied once per release by the <c>migrate</c> command while replicas wait for the schema.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("http://127.0.0.1:5101", 1)]
    [InlineData("http://127.0.0.1:5101,http://127.0.0.1:5111", 2)]
    [InlineData(" http://10.0.0.5:5101 , http://10.0.0.6:5101 ,", 2)]
    public void A_service_address_may_name_several_replicas(string value, int replicas)
    {
        var addresses = ServiceAddresses.Parse(value, "Services:Intake", "intake", resolveDns: false);

        Assert.Equal(replicas, addresses.Replicas.Count);
        Assert.Equal(replicas > 1, addresses.Balanced);
    }

    [Theory]
    [InlineData("", false, "must be the service's gRPC address")]
    [InlineData("127.0.0.1:5101", false, "is not an http:// or https:// address")]
    [InlineData("http://intake:5101/v1", false, "without a path")]
    [InlineData("http://a:5101,https://b:5101", false, "mix http and https")]
    [InlineData("http://a:5101,http://a:5101", false, "given twice")]
    [InlineData("http://a:5101,http://b:5101", true, "one host name per service")]
    public void A_malformed_service_address_is_refused_naming_the_key(string value, bool resolveDns, string reason)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ServiceAddresses.Parse(value, "Services:Intake", "intake", resolveDns));

        Assert.StartsWith("Services:Intake", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_gateway_gives_a_replicated_service_a_destination_per_replica_with_health_checks()
    {
        var backends = BackendOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Services:Intake"] = "http://127.0.0.1:5101,http://127.0.0.1:5111",
            ["Services:Custody"] = "http://127.0.0.1:5102",
            ["Services:Medical"] = "http://127.0.0.1:5103",
        }).Build());
        var methods = new ForwardedMethods([IntakeService.Descriptor, CustodyService.Descriptor, MedicalService.Descriptor]);

        var clusters = ServiceRoutes.Build(backends, methods).Clusters.ToDictionary(c => c.ClusterId);

        // Both intake clusters (unary calls and the feed's streams) reach both replicas, and probe /readyz.
        foreach (var id in new[] { "intake", "intake-streams" })
        {
            Assert.Equal(["http://127.0.0.1:5101/", "http://127.0.0.1:5111/"], clusters[id].Destinations!.Values.Select(d => d.Address).Order());
            Assert.True(clusters[id].HealthCheck?.Active?.Enabled);
            Assert.Equal("/readyz", clusters[id].HealthCheck!.Active!.Path);
            Assert.True(clusters[id].HealthCheck!.Passive?.Enabled);
        }

        // One replica: one destination, nothing to choose between, no probes.
        Assert.Single(clusters["custody"].Destinations!);
        Assert.Null(clusters["custody"].HealthCheck);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("quorum", true)]
    [InlineData("Classic", false)]
    public void Consumer_queues_are_quorum_queues_unless_configured_classic(string? value, bool quorum)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [RegistryBus.QueueTypeKey] = value }).Build();

        Assert.Equal(quorum, RegistryBus.QuorumQueues(configuration));
    }

    [Fact]
    public void An_unknown_queue_type_is_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [RegistryBus.QueueTypeKey] = "stream" }).Build();

        Assert.Contains("must be quorum or classic", Assert.Throws<InvalidConfigurationException>(() => RegistryBus.QuorumQueues(configuration)).Message);
    }

    /// <summary>
    /// The release's migration Job, then a replica that does not migrate: on a new database a replica with
    /// <c>Database:MigrateAtStart=false</c> gives up (exit code not 0) naming the command; <c>migrate</c> applies the
    /// migrations and exits 0 (again 0, with none pending, the second time); then the replica starts and is ready.
    /// </summary>
    [Fact]
    public async Task Migrations_run_once_by_the_migrate_command_and_replicas_wait_for_the_schema()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("deploy_migrate");
        var broker = await infrastructure.CreateVirtualHostAsync("deploy_migrate");
        try
        {
            var settings = new Dictionary<string, string>((await TestAuthority.GetAsync()).ServiceEnvironment)
            {
                ["ConnectionStrings__Custody"] = database.ConnectionString,
                ["ConnectionStrings__RabbitMq"] = "amqp://registry:registry@127.0.0.1:1/unused",
                [$"{RegistryDatabase.MigrateAtStartKey.Replace(":", "__")}"] = "false",
                [$"{RegistryDatabase.SchemaWaitKey.Replace(":", "__")}"] = "00:00:03",
            };

            var waited = await RunAsync("Registry.Custody", [], settings);
            Assert.NotEqual(0, waited.ExitCode);
            Assert.Contains("run the service's migrate command", waited.Output);
            Assert.Equal(0, await TableCountAsync(database.ConnectionString));

            var migrated = await RunAsync("Registry.Custody", ["migrate"], settings);
            Assert.True(migrated.ExitCode == 0, migrated.Output);
            Assert.Contains("migration(s) applied", migrated.Output);
            Assert.True(await TableCountAsync(database.ConnectionString) > 5);

            var again = await RunAsync("Registry.Custody", ["migrate"], settings);
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Contains("0 migration(s) applied (none pending)", again.Output);

            var unknown = await RunAsync("Registry.Custody", ["migrat"], settings);
            Assert.Equal(2, unknown.ExitCode);

            // The replica: ready on the migrated schema without migrating.
            var grpcPort = FreePort.Next();
            var httpPort = FreePort.Next();
            settings["Ports__Grpc"] = grpcPort.ToString();
            settings["Ports__Http"] = httpPort.ToString();
            settings["ConnectionStrings__RabbitMq"] = broker;
            await using var replica = await ServiceProcess.StartAsync("Custody", Path.Combine("services", "Registry.Custody"), grpcPort, httpPort, settings);
            Assert.True(replica.IsRunning);
        }
        finally
        {
            await infrastructure.DeleteVirtualHostAsync(broker);
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string project, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(ServiceProcess.RepositoryRoot, "services", project, "bin", ServiceProcess.BuildConfiguration, "net10.0", $"{project}.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        output.WriteLine($"dotnet {project} {string.Join(" ", args)}: exit {process.ExitCode}\n{text[..Math.Min(text.Length, 3000)]}");
        return (process.ExitCode, text);
    }

    private static async Task<long> TableCountAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
