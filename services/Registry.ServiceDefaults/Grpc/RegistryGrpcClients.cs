using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Grpc;

public static class RegistryGrpcClients
{
    /// <summary>
    /// A generated client for another registry service. Inside a gRPC call it carries the caller's
    /// deadline and cancellation along (call-context propagation); outside one (a consumer, a
    /// background job) it works as a plain client, and the caller sets the deadline: every call
    /// through it should pass one. While a call is open, its connection is checked with HTTP/2 pings
    /// (<see cref="GrpcCallOptions.KeepAlivePingDelay"/>), so a service that vanished fails the call
    /// instead of leaving it waiting. The caller's bearer token goes along too (<see cref="CallerTokenForwarding"/>).
    /// </summary>
    public static IHttpClientBuilder AddRegistryGrpcClient<TClient>(this IServiceCollection services, Uri address)
        where TClient : class =>
        Configure(services.AddGrpcClient<TClient>(o => o.Address = address));

    /// <summary>
    /// The same, as a named client (<c>GrpcClientFactory.CreateClient&lt;TClient&gt;(name)</c>): for one client type
    /// that several services serve, e.g. registry.audit.v1.AccessAuditService on intake, custody and medical.
    /// </summary>
    public static IHttpClientBuilder AddRegistryGrpcClient<TClient>(this IServiceCollection services, string name, Uri address)
        where TClient : class =>
        Configure(services.AddGrpcClient<TClient>(name, o => o.Address = address));

    /// <summary>
    /// A generated client for a service that may run in several replicas (<see cref="ServiceAddresses"/>). One address
    /// without DNS resolution is the plain client above. Otherwise the channel balances its calls round robin across
    /// the replicas it can connect to (gRPC client-side load balancing): the listed addresses through the
    /// <c>registry:///</c> resolver, or every address DNS gives for the one host name through <c>dns:///</c>, read again
    /// every 30 s and whenever a connection fails. A replica that stops answering is skipped until it connects again;
    /// a call that reached it before the channel noticed is sent again to the next one (<see cref="ReplicaRetry"/>).
    /// </summary>
    public static IHttpClientBuilder AddRegistryGrpcClient<TClient>(this IServiceCollection services, ServiceAddresses addresses, string? name = null)
        where TClient : class
    {
        if (!addresses.Balanced)
        {
            return name is null ? services.AddRegistryGrpcClient<TClient>(addresses.First) : services.AddRegistryGrpcClient<TClient>(name, addresses.First);
        }

        Uri target;
        if (addresses.ResolveDns)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ResolverFactory>(new DnsResolverFactory(DnsRefreshInterval)));
            target = new Uri($"dns:///{addresses.First.Host}:{addresses.First.Port}");
        }
        else
        {
            ReplicaResolverFactory.Directory(services)[addresses.Service] = [.. addresses.Replicas.Select(r => new BalancerAddress(r.Host, r.Port))];
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ResolverFactory, ReplicaResolverFactory>());
            target = new Uri($"{ReplicaResolverFactory.Scheme}:///{addresses.Service}");
        }

        var secure = addresses.First.Scheme == Uri.UriSchemeHttps;
        var builder = name is null
            ? services.AddGrpcClient<TClient>(o => o.Address = target)
            : services.AddGrpcClient<TClient>(name, o => o.Address = target);
        return Configure(builder).ConfigureChannel(channel =>
        {
            channel.Credentials = secure ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
            channel.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() }, MethodConfigs = { ReplicaRetry() }, RetryThrottling = ReplicaRetryThrottling() };
        });
    }

    /// <summary>
    /// A call to one of several replicas that fails UNAVAILABLE before its answer began (the replica died, and the channel
    /// had not noticed yet) is sent again, to the next replica in the rotation, up to twice (gRPC retries,
    /// https://github.com/grpc/proposal/blob/master/A6-client-retries.md; a call is never sent again once response headers
    /// arrived). A call a service answered UNAVAILABLE itself is not sent again: its answer says so
    /// (<see cref="RetryPushbackInterceptor"/>), since it may have done its work, and not every write carries a request id.
    /// What is resent is what no server answered; a replica killed between a commit and its answer is the one case
    /// where a write may be sent twice (a write with a request id then answers from the first; one at a revision answers
    /// that the revision moved). Retries are throttled per channel (<see cref="ReplicaRetryThrottling"/>).
    /// </summary>
    public static MethodConfig ReplicaRetry() => new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { StatusCode.Unavailable },
        },
    };

    /// <summary>
    /// The A6 proposal's token bucket per channel: each failed attempt takes a token, each success gives a tenth back, and
    /// retries stop while fewer than half of the 100 are left. A replica's death costs the calls in flight to it, a few
    /// dozen at most, which are retried; an outage of every replica stops the retries after some fifty failures, so calls
    /// are not multiplied on top of it.
    /// </summary>
    public static RetryThrottlingPolicy ReplicaRetryThrottling() => new() { MaxTokens = 100, TokenRatio = 0.1 };

    /// <summary>How often a <c>dns:///</c> client reads its name again (besides whenever a connection fails).</summary>
    public static readonly TimeSpan DnsRefreshInterval = TimeSpan.FromSeconds(30);

    private static IHttpClientBuilder Configure(IHttpClientBuilder client) =>
        client.ConfigurePrimaryHttpMessageHandler(sp => KeepAliveHandler(sp.GetService<GrpcCallOptions>() ?? new GrpcCallOptions()))
            .EnableCallContextPropagation(o => o.SuppressContextNotFoundErrors = true)
            .AddInterceptor(sp => new CallerTokenForwarding(sp.GetRequiredService<IHttpContextAccessor>()));

    /// <summary>The handler of a registry gRPC client: HTTP/2 keep-alive pings while calls are open, several connections when one is full.</summary>
    public static SocketsHttpHandler KeepAliveHandler(GrpcCallOptions options) => new()
    {
        KeepAlivePingDelay = options.KeepAlivePingDelay,
        KeepAlivePingTimeout = options.KeepAlivePingTimeout,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>
    /// Resolves <c>registry:///&lt;service&gt;</c> to the replicas configured for that service (a static list: the
    /// addresses do not change while the process runs).
    /// </summary>
    private sealed class ReplicaResolverFactory(IServiceProvider services) : ResolverFactory
    {
        public const string Scheme = "registry";

        public override string Name => Scheme;

        public override Resolver Create(ResolverOptions options)
        {
            var service = options.Address.AbsolutePath.Trim('/');
            var directory = services.GetRequiredService<ReplicaDirectory>();
            return directory.TryGetValue(service, out var replicas)
                ? new StaticResolverFactory(_ => replicas).Create(options)
                : throw new InvalidConfigurationException($"No replicas are configured for '{service}'.");
        }

        /// <summary>The one directory of the service collection, created with its first entry.</summary>
        public static ReplicaDirectory Directory(IServiceCollection services)
        {
            if (services.FirstOrDefault(d => d.ServiceType == typeof(ReplicaDirectory))?.ImplementationInstance is ReplicaDirectory existing)
            {
                return existing;
            }

            var directory = new ReplicaDirectory();
            services.AddSingleton(directory);
            return directory;
        }
    }

    private sealed class ReplicaDirectory : System.Collections.Concurrent.ConcurrentDictionary<string, BalancerAddress[]>;
}
