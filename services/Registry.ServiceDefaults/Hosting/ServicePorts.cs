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

    /// <summary>
    /// A certificate (PKCS#12 .pfx, or PEM with <see cref="GrpcCertificateKeyPath"/>) to serve the gRPC port
    /// over TLS (HTTP/2 negotiated by ALPN); unset, the port speaks plaintext HTTP/2 (the development
    /// default). Meant for the gateway's public port; the services behind it stay on the private network.
    /// </summary>
    public string? GrpcCertificatePath { get; set; }

    /// <summary>The password of a .pfx certificate.</summary>
    public string? GrpcCertificatePassword { get; set; }

    /// <summary>The private key of a PEM certificate.</summary>
    public string? GrpcCertificateKeyPath { get; set; }
}
