using Registry.ServiceDefaults.Grpc;
using Yarp.ReverseProxy.Forwarder;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// YARP's connections to the services, with HTTP/2 keep-alive pings while a call is open
/// (<see cref="GrpcCallOptions.KeepAlivePingDelay"/>). A forwarded stream has no idle cut
/// (<see cref="BackendOptions.StreamActivityTimeout"/>), so a service host that vanished without closing
/// the connection is found by an unanswered ping; the stream then fails and its caller gets UNAVAILABLE
/// (<see cref="ForwardedCallGuard"/>).
/// </summary>
public sealed class KeepAliveForwarderHttpClientFactory(GrpcCallOptions options, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.KeepAlivePingDelay = options.KeepAlivePingDelay;
        handler.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
    }
}
