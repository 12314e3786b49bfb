using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.ServiceDefaults.Grpc;

public static class RegistryGrpcClients
{
    /// <summary>
    /// A generated client for another registry service. Inside a gRPC call it carries the caller's
    /// deadline and cancellation along (call-context propagation); outside one (a consumer, a
    /// background job) it works as a plain client, and the caller sets the deadline.
    /// </summary>
    public static IHttpClientBuilder AddRegistryGrpcClient<TClient>(this IServiceCollection services, Uri address)
        where TClient : class =>
        services.AddGrpcClient<TClient>(o => o.Address = address)
            .EnableCallContextPropagation(o => o.SuppressContextNotFoundErrors = true);
}
