using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// A server stream through the gateway (the ICRC feed) stays open while idle, however short the
/// gateway's idle cut for unary calls; and when it must end (its service stops or dies, the gateway
/// stops), the reader gets UNAVAILABLE, gRPC's "reconnect", so it resumes from its last cursor.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ForwardedStreamTests(RegistryFixture registry, ITestOutputHelper output)
{
    private static readonly TimeSpan UnaryIdleCut = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task An_idle_feed_reader_through_the_gateway_stays_connected_past_the_unary_idle_cut()
    {
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__ActivityTimeout"] = UnaryIdleCut.ToString(),
        });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        using var feed = new FeedReader(new IntakeService.IntakeServiceClient(TestCallers.Operator(channel)), "");
        // Registrations go through the fixture's gateway: a cold call on a loaded machine can outlast a 2 s cut.
        var intake = new IntakeService.IntakeServiceClient(registry.GatewayChannel);

        // The backlog, up to a case registered now: the response has begun.
        var first = await RegisterAsync(intake);
        await feed.ReadUntilAsync(first);

        // Idle for four of the unary cut's length, then something to tell.
        await Task.Delay(UnaryIdleCut * 4);
        var second = await RegisterAsync(intake);

        await feed.ReadUntilAsync(second);
    }

    [Fact]
    public async Task A_reader_at_the_feeds_end_through_the_gateway_gets_the_response_headers_while_nothing_comes()
    {
        var intake = new IntakeService.IntakeServiceClient(registry.GatewayChannel);
        string end;
        using (var feed = new FeedReader(intake, ""))
        {
            end = await feed.ReadUntilAsync(await RegisterAsync(intake));
        }

        // Nothing is registered meanwhile by this test: without the headers forwarded at once, the reader would wait for
        // them until another notification came (YARP holds them until body bytes arrive).
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = intake.StreamNotifications(new StreamNotificationsRequest { Cursor = end }, cancellationToken: listening.Token);
        var headers = call.ResponseHeadersAsync;
        Assert.Same(headers, await Task.WhenAny(headers, Task.Delay(TimeSpan.FromSeconds(5))));
        await headers;
        listening.Cancel();
    }

    [Fact]
    public async Task A_feed_ended_by_its_service_stopping_or_dying_is_UNAVAILABLE_and_resumes_from_its_cursor()
    {
        await using var intake = await DedicatedIntake.StartAsync(registry);
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__Intake"] = intake.Process.GrpcAddress.ToString(),
        });
        using var gatewayChannel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var throughGateway = new IntakeService.IntakeServiceClient(TestCallers.Operator(gatewayChannel));

        // Graceful stop (SIGINT, as an orchestrator's SIGTERM): a reader through the gateway and one on the service itself.
        string cursor;
        using (var directChannel = GrpcChannel.ForAddress(intake.Process.GrpcAddress))
        using (var forwarded = new FeedReader(throughGateway, ""))
        using (var direct = new FeedReader(new IntakeService.IntakeServiceClient(TestCallers.Operator(directChannel)), ""))
        {
            var registered = await RegisterAsync(throughGateway);
            cursor = await forwarded.ReadUntilAsync(registered);
            await direct.ReadUntilAsync(registered);

            var stopping = Stopwatch.StartNew();
            var stop = intake.Process.StopAsync(TimeSpan.FromSeconds(120));
            var ends = await Task.WhenAll(forwarded.EndAsync(), direct.EndAsync());
            output.WriteLine($"service stop: through the gateway {ends[0]}, direct {ends[1]}, after {stopping.Elapsed.TotalSeconds:0.0} s");
            await stop;

            Assert.True(ends[0].StatusCode == StatusCode.Unavailable, $"through the gateway: {ends[0].Status}");
            Assert.True(ends[1].StatusCode == StatusCode.Unavailable, $"direct: {ends[1].Status}");
        }

        // Back on the same address: the reader resumes from its cursor and misses nothing; then the process dies.
        await intake.RestartAsync();
        using (var resumed = new FeedReader(throughGateway, cursor))
        {
            var registered = await RegisterAsync(throughGateway);
            await resumed.ReadUntilAsync(registered);

            await intake.Process.KillAsync();
            var end = await resumed.EndAsync();
            output.WriteLine($"service killed: through the gateway {end}");

            Assert.True(end.StatusCode == StatusCode.Unavailable, $"through the gateway: {end.Status}");
        }
    }

    [Fact]
    public async Task A_feed_through_a_gateway_that_stops_is_UNAVAILABLE()
    {
        var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>());
        await using var _ = gateway;
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var intake = new IntakeService.IntakeServiceClient(TestCallers.Operator(channel));
        using var feed = new FeedReader(intake, "");
        await feed.ReadUntilAsync(await RegisterAsync(intake));

        var stopping = Stopwatch.StartNew();
        var stop = gateway.StopAsync(TimeSpan.FromSeconds(120));
        var end = await feed.EndAsync();
        var ended = stopping.Elapsed;
        await stop;
        output.WriteLine($"gateway stop: {end}, after {ended.TotalSeconds:0.0} s");

        Assert.True(end.StatusCode == StatusCode.Unavailable, end.Status.ToString());
        // Ended as the gateway began to stop, not held open until the host's shutdown timeout (30 s) and then
        // cut with the connection (which a client also reads as UNAVAILABLE, but only after that wait).
        Assert.True(ended < TimeSpan.FromSeconds(20), $"the feed ended {ended.TotalSeconds:0.0} s after the gateway was asked to stop");
    }

    [Fact]
    public async Task A_feed_whose_service_vanishes_without_closing_its_connection_ends_UNAVAILABLE_when_pings_go_unanswered()
    {
        // The gateway reaches intake through a relay that can go silent; pings every 2 s, 3 s to answer.
        await using var relay = new TcpProxy("127.0.0.1", registry.Intake.GrpcPort);
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__Intake"] = $"http://127.0.0.1:{relay.Port}",
            ["Grpc__KeepAlivePingDelay"] = "00:00:02",
            ["Grpc__KeepAlivePingTimeout"] = "00:00:03",
        });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        using var feed = new FeedReader(new IntakeService.IntakeServiceClient(TestCallers.Operator(channel)), "");
        await feed.ReadUntilAsync(await RegisterAsync(new IntakeService.IntakeServiceClient(registry.GatewayChannel)));

        var silent = Stopwatch.StartNew();
        relay.Freeze();
        var end = await feed.EndAsync();
        output.WriteLine($"service silent: {end}, after {silent.Elapsed.TotalSeconds:0.0} s");

        // A stream has no idle cut: only the unanswered ping ends it, and its reader is told to reconnect.
        Assert.True(end.StatusCode == StatusCode.Unavailable, end.Status.ToString());
    }

    private static async Task<string> RegisterAsync(IntakeService.IntakeServiceClient intake) =>
        (await intake.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case.CaseId;

    /// <summary>One open StreamNotifications call, read by the test.</summary>
    private sealed class FeedReader : IDisposable
    {
        private readonly AsyncServerStreamingCall<StreamNotificationsResponse> _call;
        private readonly CancellationTokenSource _guard = new(TimeSpan.FromMinutes(5));

        public FeedReader(IntakeService.IntakeServiceClient intake, string cursor) =>
            _call = intake.StreamNotifications(new StreamNotificationsRequest { Cursor = cursor }, cancellationToken: _guard.Token);

        /// <summary>Reads until the registration of <paramref name="caseId"/> arrives; returns its cursor.</summary>
        public async Task<string> ReadUntilAsync(string caseId)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await _call.ResponseStream.MoveNext(timeout.Token))
            {
                if (_call.ResponseStream.Current.Notification is { } n && n.CaseId == caseId)
                {
                    return n.Cursor;
                }
            }

            throw new InvalidOperationException($"The feed ended (OK) before case {caseId} arrived.");
        }

        /// <summary>Reads on until the stream ends, and returns the error it ended with.</summary>
        public async Task<RpcException> EndAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                while (await _call.ResponseStream.MoveNext(timeout.Token))
                {
                }
            }
            catch (RpcException ex) when (!timeout.IsCancellationRequested)
            {
                return ex;
            }

            throw new InvalidOperationException(timeout.IsCancellationRequested ? "The feed was still open after 90 s." : "The feed ended OK.");
        }

        public void Dispose()
        {
            _call.Dispose();
            _guard.Dispose();
        }
    }

    /// <summary>An intake process of its own (database, virtual host, fixed ports), for a test that stops and kills it.</summary>
    private sealed class DedicatedIntake : IAsyncDisposable
    {
        private readonly RegistryFixture _registry;
        private readonly string _database;
        private readonly string _broker;
        private readonly int _grpcPort = FreePort.Next();
        private readonly int _httpPort = FreePort.Next();

        private DedicatedIntake(RegistryFixture registry, string database, string broker) =>
            (_registry, _database, _broker) = (registry, database, broker);

        public ServiceProcess Process { get; private set; } = null!;

        public static async Task<DedicatedIntake> StartAsync(RegistryFixture registry)
        {
            var intake = new DedicatedIntake(registry,
                await registry.Infrastructure.CreateDatabaseAsync("e2e_feed_intake"),
                await registry.Infrastructure.CreateVirtualHostAsync("e2e_feed"));
            await intake.RestartAsync();
            return intake;
        }

        public async Task RestartAsync()
        {
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }

            Process = await ServiceProcess.StartAsync("Intake", Path.Combine("services", "Registry.Intake"), _grpcPort, _httpPort, new Dictionary<string, string>((await TestAuthority.GetAsync()).ServiceEnvironment)
            {
                ["Ports__Grpc"] = _grpcPort.ToString(),
                ["Ports__Http"] = _httpPort.ToString(),
                ["ConnectionStrings__Intake"] = _database,
                ["ConnectionStrings__RabbitMq"] = _broker,
            });
        }

        public async ValueTask DisposeAsync()
        {
            await TestCleanup.TryAsync("stop the feed's intake", async () => await Process.DisposeAsync());
            await _registry.Infrastructure.DropDatabaseAsync(_database);
            await _registry.Infrastructure.DeleteVirtualHostAsync(_broker);
        }
    }
}
