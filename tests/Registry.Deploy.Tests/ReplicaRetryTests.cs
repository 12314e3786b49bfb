using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Deploy.Tests;

/// <summary>
/// A client of a service in several replicas (<see cref="RegistryGrpcClients.AddRegistryGrpcClient{TClient}(IServiceCollection, ServiceAddresses, string?)"/>)
/// keeps answering when one replica dies: the calls the channel still sends to it before it notices fail UNAVAILABLE before
/// any answer, and are sent again to the other (<see cref="RegistryGrpcClients.ReplicaRetry"/>). Two real servers on loopback
/// ports, the second reached through a TCP relay that is cut as a killed process's connections are (reset, nothing listening).
/// </summary>
public sealed class ReplicaRetryTests
{
    [Fact]
    public async Task Calls_go_on_through_the_other_replica_at_once_when_one_dies()
    {
        await using var first = await StartReplicaAsync();
        await using var second = await StartReplicaAsync();
        using var relay = new TcpRelay(new Uri(Address(second)).Port);
        var addresses = ServiceAddresses.Parse($"{Address(first)},http://127.0.0.1:{relay.Port}", "Services:Test", "test", resolveDns: false);
        var services = new ServiceCollection().AddLogging().AddHttpContextAccessor();
        services.AddRegistryGrpcClient<Health.HealthClient>(addresses);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Health.HealthClient>();

        // Both replicas connected and in the rotation.
        for (var i = 0; i < 10; i++)
        {
            await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        }

        Assert.True(relay.Connections > 0, "the second replica was reached");
        relay.Cut();

        // At once, before the channel could notice: twenty calls together, every one answered (by the first replica).
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync));
        Assert.All(replies, Assert.NotNull);
    }

    private static async Task<WebApplication> StartReplicaAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    /// <summary>Relays loopback TCP connections to a port; <see cref="Cut"/> stops listening and resets every connection.</summary>
    private sealed class TcpRelay : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _sockets = [];
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public TcpRelay(int target)
        {
            _listener.Start();
            _ = Task.Run(() => AcceptAsync(target));
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public void Cut()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            _listener.Stop();
            lock (_sockets)
            {
                foreach (var socket in _sockets)
                {
                    try
                    {
                        // A linger of 0 closes with a reset, as the kernel does for a killed process's sockets.
                        socket.LingerState = new LingerOption(true, 0);
                        socket.Close();
                    }
                    catch (ObjectDisposedException)
                    {
                        // Closed by its pump already.
                    }
                }
            }
        }

        public void Dispose()
        {
            Cut();
            _stop.Dispose();
        }

        private async Task AcceptAsync(int target)
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(IPAddress.Loopback, target);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                }

                Interlocked.Increment(ref _connections);
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }

        private static async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, read));
                }

                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Cut: the other pump and Cut close what is left.
            }
        }
    }
}
