using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.Load;

/// <summary>A channel to several gateway replicas (the replicas drill): round robin across the ones that connect.</summary>
public static class GatewayReplicas
{
    public static GrpcChannel Channel(IReadOnlyList<Uri> gateways)
    {
        if (gateways.Select(g => g.Scheme).Distinct().Count() > 1)
        {
            throw new ArgumentException("The gateway replicas mix http and https.", nameof(gateways));
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => gateways.Select(g => new BalancerAddress(g.Host, g.Port))));
        return GrpcChannel.ForAddress("static:///gateways", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            Credentials = gateways[0].Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            UnsafeUseInsecureChannelCallCredentials = true,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
            ServiceProvider = services.BuildServiceProvider(),
        });
    }
}
