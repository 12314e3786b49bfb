using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Registry.ServiceDefaults.Grpc;

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
/// A service in several replicas (<see cref="ServiceAddresses"/>) is a cluster with a destination per replica, or one
/// per address DNS gives for its name (YARP's DNS destination resolver, with <see cref="BackendOptions.ResolveDns"/>).
/// YARP picks between them (power of two choices: the less busy of two at random), asks each for <c>/readyz</c> every
/// <see cref="BackendOptions.HealthCheckInterval"/> and, between probes, stops sending to one whose connections fail
/// (passive checks): a replica that is killed or not ready gets no new calls, and is taken back once it answers.
/// </summary>
public static class ServiceRoutes
{
    public static (RouteConfig[] Routes, ClusterConfig[] Clusters) Build(BackendOptions backends, ForwardedMethods methods)
    {
        var owners = new (string Package, string Cluster, ServiceAddresses Address)[]
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
            clusters.Add(Cluster(cluster, address, backends.ActivityTimeout, backends.HealthCheckInterval));

            var streams = methods.StreamingIn(package).ToList();
            if (streams.Count == 0)
            {
                continue;
            }

            var streamCluster = $"{cluster}-streams";
            clusters.Add(Cluster(streamCluster, address, backends.StreamActivityTimeout, backends.HealthCheckInterval));
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

    private static ClusterConfig Cluster(string id, ServiceAddresses addresses, TimeSpan activityTimeout, TimeSpan healthCheckInterval) => new()
    {
        ClusterId = id,
        Destinations = addresses.Replicas
            .Select((address, i) => (Id: addresses.Replicas.Count == 1 ? id : $"{id}-{i + 1}", Address: address))
            .ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address.ToString() }),
        HealthCheck = addresses.Balanced ? HealthChecks(healthCheckInterval) : null,
        // The services speak gRPC over cleartext HTTP/2 (prior knowledge), never HTTP/1.1.
        HttpRequest = new ForwarderRequestConfig
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            ActivityTimeout = activityTimeout,
        },
    };

    /// <summary>
    /// Active probes of <c>/readyz</c> (the service's database and broker; on its gRPC port too, over the cluster's
    /// HTTP/2), two failures in a row to leave, and passive checks on transport failures, each replica back on
    /// probation after 10 s. When every replica fails, YARP still tries them all rather than refuse every call.
    /// </summary>
    private static HealthCheckConfig HealthChecks(TimeSpan interval) => new()
    {
        AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
        Active = new ActiveHealthCheckConfig
        {
            Enabled = true,
            Interval = interval,
            Timeout = TimeSpan.FromSeconds(Math.Min(2, interval.TotalSeconds)),
            Policy = "ConsecutiveFailures",
            Path = "/readyz",
        },
        Passive = new PassiveHealthCheckConfig
        {
            Enabled = true,
            Policy = "TransportFailureRate",
            ReactivationPeriod = TimeSpan.FromSeconds(10),
        },
    };
}
