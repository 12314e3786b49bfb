using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// Plain pass-through of each service's own API. A proxy rather than generated clients: a gRPC
/// method is one HTTP/2 request, so forwarding by package needs no code per method, passes
/// streaming calls, deadlines (grpc-timeout) and trace context unchanged, and a new RPC in a
/// service's proto is reachable through the gateway without touching it. The one addition: a
/// unary call without a deadline gets one (<see cref="ForwardedDeadlines"/>).
/// </summary>
public static class ServiceRoutes
{
    public static (RouteConfig[] Routes, ClusterConfig[] Clusters) Build(BackendOptions backends)
    {
        var owners = new (string Package, string Cluster, Uri Address)[]
        {
            ("registry.intake.v1", "intake", backends.Intake),
            ("registry.custody.v1", "custody", backends.Custody),
            ("registry.medical.v1", "medical", backends.Medical),
        };

        var routes = owners.Select(o => new RouteConfig
        {
            RouteId = o.Cluster,
            ClusterId = o.Cluster,
            Match = new RouteMatch { Path = $"/{o.Package}.{{service}}/{{method}}" },
        }).ToArray();

        var clusters = owners.Select(o => new ClusterConfig
        {
            ClusterId = o.Cluster,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [o.Cluster] = new() { Address = o.Address.ToString() },
            },
            // The services speak gRPC over cleartext HTTP/2 (prior knowledge), never HTTP/1.1.
            HttpRequest = new ForwarderRequestConfig
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            },
        }).ToArray();

        return (routes, clusters);
    }
}
