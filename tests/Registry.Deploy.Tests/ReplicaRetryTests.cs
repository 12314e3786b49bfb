using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Grpc;
using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// A client of a service in several replicas (<see cref="RegistryGrpcClients.AddRegistryGrpcClient{TClient}(IServiceCollection, ServiceAddresses, string?)"/>)
/// keeps answering when one replica dies: the calls the channel still sends to it before it notices fail UNAVAILABLE before
/// any answer, and are sent again to the other (<see cref="RegistryGrpcClients.ReplicaRetry"/>). Two real servers on loopback
/// ports, the second reached through a TCP relay (<see cref="TcpProxy"/>) that then drops each connection when it is next used,
/// as a killed process's connection fails for a client that has not yet read its close, and listens no more.
/// </summary>
public sealed class ReplicaRetryTests
{
    [Fact]
    public async Task Calls_go_on_through_the_other_replica_at_once_when_one_dies()
    {
        var resent = new ResentCalls();
        var servedBySecond = new ResentCalls();
        await using var first = await StartReplicaAsync(resent);
        await using var second = await StartReplicaAsync(servedBySecond);
        await using var relay = new TcpProxy("127.0.0.1", new Uri(Address(second)).Port);
        var addresses = ServiceAddresses.Parse($"{Address(first)},http://127.0.0.1:{relay.Port}", "Services:Test", "test", resolveDns: false);
        var services = new ServiceCollection().AddLogging().AddHttpContextAccessor();
        services.AddRegistryGrpcClient<Health.HealthClient>(addresses);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Health.HealthClient>();

        // Both replicas connected and in the rotation (the second has answered through the relay).
        for (var i = 0; i < 10 || servedBySecond.All == 0; i++)
        {
            Assert.True(i < 100, "the second replica never answered");
            await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        }

        // The second dies, and the channel does not know: its connection fails only when a call is sent on it. (After a pause,
        // so that what the client sends after an answer, such as HTTP/2 flow control, is not taken for a call.)
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        relay.DropOnUse();

        // Twenty calls together, some sent to the dead replica first: every one answered (by the first replica).
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync));
        Assert.All(replies, Assert.NotNull);
        // Some reached it as a second attempt (grpc-previous-rpc-attempts, gRFC A6): the case this test is for happened.
        Assert.True(resent.Calls > 0, "no call was sent again: the dead replica was never tried");
    }

    /// <summary>
    /// A call the service answered UNAVAILABLE itself (its store failed, perhaps at the commit) may have done its work: the
    /// answer tells the client not to send it again (<see cref="RetryPushbackInterceptor"/>), and the handler runs once.
    /// (Grpc.Net.Client 2.x was seen not to resend such an answer even without the trailer; the trailer is the rule for any
    /// client, an agency's on another gRPC stack too, and holds if a later version retries trailers-only answers as A6 allows.)
    /// </summary>
    [Fact]
    public async Task A_call_a_service_answered_unavailable_itself_is_not_sent_again()
    {
        var answered = new AnsweredUnavailable();
        await using var replica = await StartReplicaAsync(answered);
        var addresses = ServiceAddresses.Parse(Address(replica), "Services:Test", "test", resolveDns: false);
        var services = new ServiceCollection().AddLogging().AddHttpContextAccessor();
        services.AddRegistryGrpcClient<Health.HealthClient>(addresses);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Health.HealthClient>();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, answered.Calls);
        Assert.Equal("-1", error.Trailers.GetValue(RetryPushbackInterceptor.Trailer));
    }

    /// <summary>Counts the calls a replica answers (<see cref="All"/>), and of those the ones that arrive as a retry of an attempt
    /// that failed elsewhere (header grpc-previous-rpc-attempts: <see cref="Calls"/>).</summary>
    private sealed class ResentCalls : Interceptor
    {
        private int _calls;
        private int _all;

        public int Calls => _calls;

        public int All => _all;

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Interlocked.Increment(ref _all);
            if (context.RequestHeaders.Get("grpc-previous-rpc-attempts") is not null)
            {
                Interlocked.Increment(ref _calls);
            }

            return continuation(request, context);
        }
    }

    /// <summary>A handler that fails as a store does (the error mapping answers UNAVAILABLE), counting its calls.</summary>
    private sealed class AnsweredUnavailable : Interceptor
    {
        private int _calls;

        public int Calls => _calls;

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Interlocked.Increment(ref _calls);
            throw new RpcException(new Status(StatusCode.Unavailable, "the store failed at the commit"));
        }
    }

    private static async Task<WebApplication> StartReplicaAsync(Interceptor? inner = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o =>
        {
            // As the registry's server runs it (RegistryGrpcServer): outermost.
            o.Interceptors.Add<RetryPushbackInterceptor>();
            if (inner is not null)
            {
                o.Interceptors.Add(inner.GetType());
            }
        });
        if (inner is not null)
        {
            builder.Services.AddSingleton(inner.GetType(), inner);
        }
        builder.Services.AddGrpcHealthChecks();
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
}
