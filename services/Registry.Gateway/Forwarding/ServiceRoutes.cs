using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// Plain pass-through of each service's own API. A proxy rather than generated clients: a gRPC
/// method is one HTTP/2 request, so forwarding by package needs no code per method, passes
/// streaming calls, deadlines (grpc-timeout) and trace context unchanged, and a new RPC in a
/// service's proto is reachable through the gateway without touching it.
/// Two routes per service: its streaming methods (found in the descriptors, <see cref="ForwardedMethods"/>)
/// by exact path to a cluster whose idle cut is <see cref="BackendOptions.StreamActivityTimeout"/>
/// (never, by default: a feed with nothing to say is idle, not dead), and everything else by package to
/// one cut after <see cref="BackendOptions.ActivityTimeout"/>. Unary calls also get a bounded deadline
/// (<see cref="ForwardedDeadlines"/>).
/// </summary>
public static class ServiceRoutes
{
    public static (RouteConfig[] Routes, ClusterConfig[] Clusters) Build(BackendOptions backends, ForwardedMethods methods)
    {
        var owners = new (string Package, string Cluster, Uri Address)[]
        {
            ("registry.intake.v1", "intake", backends.Intake),
            ("registry.custody.v1", "custody", backends.Custody),
            ("registry.medical.v1", "medical", backends.Medical),
        };

        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (package, cluster, address) in owners)
        {
            routes.Add(new RouteConfig
            {
                RouteId = cluster,
                ClusterId = cluster,
                Match = new RouteMatch { Path = $"/{package}.{{service}}/{{method}}" },
            });
            clusters.Add(Cluster(cluster, address, backends.ActivityTimeout));

            var streams = methods.StreamingIn(package).ToList();
            if (streams.Count == 0)
            {
                continue;
            }

            var streamCluster = $"{cluster}-streams";
            clusters.Add(Cluster(streamCluster, address, backends.StreamActivityTimeout));
            routes.AddRange(streams.Select(path => new RouteConfig
            {
                RouteId = $"{streamCluster}{path.Replace('/', '-')}",
                ClusterId = streamCluster,
                // Before the package's catch-all.
                Order = -1,
                Match = new RouteMatch { Path = path },
            }));
        }

        return ([.. routes], [.. clusters]);
    }

    private static ClusterConfig Cluster(string id, Uri address, TimeSpan activityTimeout) => new()
    {
        ClusterId = id,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            [id] = new() { Address = address.ToString() },
        },
        // The services speak gRPC over cleartext HTTP/2 (prior knowledge), never HTTP/1.1.
        HttpRequest = new ForwarderRequestConfig
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            ActivityTimeout = activityTimeout,
        },
    };
}
