namespace Registry.ServiceDefaults.Hosting;

/// <summary>
/// The two ports of a service (configuration section <c>Ports</c>). gRPC without TLS needs HTTP/2
/// prior knowledge, which an Http1AndHttp2 endpoint does not offer, so gRPC gets an HTTP/2-only
/// port and the HTTP/1.1 things (health probes) get their own.
/// </summary>
public sealed class ServicePorts
{
    public const string Section = "Ports";

    public int Grpc { get; set; }
    public int Http { get; set; }
}
