using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Registry.ServiceDefaults.Security;

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
}
