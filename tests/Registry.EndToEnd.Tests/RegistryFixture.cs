using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Npgsql;
using Registry.EndToEnd.Tests.Otlp;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The whole registry as separate processes on real ports: gateway, intake, custody, medical, each
/// service on its own database, all on one per-run RabbitMQ virtual host reached through a TCP
/// relay a test can cut, exporting their spans to a collector in the test.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private TestInfrastructure _infrastructure = null!;
    private readonly List<ServiceProcess> _processes = [];
    private readonly List<string> _databases = [];
    private string _broker = null!;

    public SpanCollector Spans { get; } = new();
    public TcpProxy Broker { get; private set; } = null!;
    public string IntakeDatabase { get; private set; } = null!;
    public string CustodyDatabase { get; private set; } = null!;
    public string MedicalDatabase { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;
    public ServiceProcess Intake { get; private set; } = null!;
    public ServiceProcess Custody { get; private set; } = null!;
    public ServiceProcess Medical { get; private set; } = null!;
    public string BrokerVirtualHost => _broker;
    public TestInfrastructure Infrastructure => _infrastructure;
    private GrpcChannel _gatewayChannel = null!;

    /// <summary>Calls through the gateway as <see cref="TestCallers.Operator"/> (every role; the request's own agency).</summary>
    public CallInvoker GatewayChannel { get; private set; } = null!;

    private readonly Dictionary<ServiceProcess, GrpcChannel> _direct = [];

    /// <summary>A channel straight to a service's port, bypassing the gateway, without credentials (one per service, reused).</summary>
    public GrpcChannel DirectChannel(ServiceProcess service)
    {
        lock (_direct)
        {
            return _direct.TryGetValue(service, out var channel) ? channel : _direct[service] = GrpcChannel.ForAddress(service.GrpcAddress);
        }
    }

    /// <summary>The gateway's channel without credentials (wrap it with <see cref="TestCallers"/>).</summary>
    public GrpcChannel GatewayRawChannel => _gatewayChannel;

    public async Task InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        await Spans.StartAsync();
        IntakeDatabase = await CreateDatabaseAsync("e2e_intake");
        CustodyDatabase = await CreateDatabaseAsync("e2e_custody");
        MedicalDatabase = await CreateDatabaseAsync("e2e_medical");
        _broker = await _infrastructure.CreateVirtualHostAsync("e2e");

        var brokerUri = new Uri(_broker);
        Broker = new TcpProxy(brokerUri.Host, brokerUri.Port);
        var relayed = new UriBuilder(brokerUri) { Host = "127.0.0.1", Port = Broker.Port }.Uri.ToString();

        var telemetry = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Spans.Endpoint.ToString(),
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            // The gauges (outbox backlog, queue depths, overdue duties) read every second, for MetricsTests.
            ["Telemetry__Metrics__ProbeInterval"] = "00:00:01",
        };
        // Custody asks medical about fitness (Services__Medical): medical's port is chosen first so the three start together.
        var medicalGrpcPort = FreePort.Next();
        var started = await Task.WhenAll(
            StartAsync("Intake", telemetry, new() { ["ConnectionStrings__Intake"] = IntakeDatabase, ["ConnectionStrings__RabbitMq"] = relayed }),
            StartAsync("Custody", telemetry, new()
            {
                ["ConnectionStrings__Custody"] = CustodyDatabase, ["ConnectionStrings__RabbitMq"] = relayed,
                ["Services__Medical"] = $"http://127.0.0.1:{medicalGrpcPort}",
            }),
            StartAsync("Medical", telemetry, new() { ["ConnectionStrings__Medical"] = MedicalDatabase, ["ConnectionStrings__RabbitMq"] = relayed }, medicalGrpcPort));
        (Intake, Custody, Medical) = (started[0], started[1], started[2]);
        Gateway = await StartGatewayAsync(Medical.GrpcAddress, telemetry);
        _gatewayChannel = AgencyChannel(Gateway.GrpcAddress);
        GatewayChannel = TestCallers.Operator(_gatewayChannel);
    }

    /// <summary>
    /// The deadline of a test's call: it guards against a hang, it does not measure speed. A service
    /// process on a busy 2-core machine (load average 30 and more while other builds run) answers its
    /// first calls in tens of seconds (JIT, first queries, TLS to PostgreSQL).
    /// </summary>
    public static DateTime CallDeadline => DateTime.UtcNow.AddSeconds(60);

    /// <summary>
    /// A channel as an agency's system should hold one: UNAVAILABLE is retried with backoff, which
    /// is safe because every write carries a request_id.
    /// </summary>
    public static GrpcChannel AgencyChannel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        ServiceConfig = new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = 5,
                        InitialBackoff = TimeSpan.FromMilliseconds(200),
                        MaxBackoff = TimeSpan.FromSeconds(2),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        },
    });

    /// <summary>Another gateway in front of the same services, with medical at an address where nothing listens.</summary>
    public Task<ServiceProcess> StartGatewayWithoutMedicalAsync() =>
        StartGatewayAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}"), []);

    /// <summary>Another gateway in front of the same services, with further settings (e.g. a forwarded-call deadline).</summary>
    public Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string> settings) =>
        StartGatewayAsync(Medical.GrpcAddress, new Dictionary<string, string>(settings));

    /// <summary>Runs a count query against one of the services' databases.</summary>
    public static async Task<long> CountAsync(string database, string sql, object? p0 = null)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (p0 is not null)
        {
            command.Parameters.AddWithValue("p0", p0);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<ServiceProcess> StartGatewayAsync(Uri medical, Dictionary<string, string> telemetry) =>
        await StartAsync("Gateway", telemetry, new()
        {
            ["Services__Intake"] = Intake.GrpcAddress.ToString(),
            ["Services__Custody"] = Custody.GrpcAddress.ToString(),
            ["Services__Medical"] = medical.ToString(),
            // Generous: the test machine is shared and a cold process answers its first query slowly.
            ["Services__CaseFilePartTimeout"] = "00:00:10",
        });

    private async Task<ServiceProcess> StartAsync(string name, Dictionary<string, string> telemetry, Dictionary<string, string> settings, int? grpcPort = null)
    {
        foreach (var (key, value) in telemetry)
        {
            settings[key] = value;
        }

        var process = await ServiceProcess.StartAsync(name, settings, grpcPort);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private async Task<string> CreateDatabaseAsync(string purpose)
    {
        var database = await _infrastructure.CreateDatabaseAsync(purpose);
        _databases.Add(database);
        return database;
    }

    public async Task DisposeAsync()
    {
        // Each step is logged if it fails, never thrown: the tests are over (see TestCleanup).
        _gatewayChannel?.Dispose();
        foreach (var channel in _direct.Values)
        {
            channel.Dispose();
        }

        foreach (var process in _processes)
        {
            await TestCleanup.TryAsync("stop a service process", async () => await process.DisposeAsync());
        }

        await TestCleanup.TryAsync("stop the test bus", async () => await Broker.DisposeAsync());
        await TestCleanup.TryAsync("stop the span collector", async () => await Spans.DisposeAsync());
        foreach (var database in _databases)
        {
            await _infrastructure.DropDatabaseAsync(database);
        }

        await _infrastructure.DeleteVirtualHostAsync(_broker);
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}
