using Microsoft.Extensions.Configuration;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Where the replicas of one registry service answer gRPC, from one configuration value (e.g. <c>Services:Intake</c>):
/// <list type="bullet">
/// <item>one address, <c>http://127.0.0.1:5101</c>: one replica, or many behind an address that balances them;</item>
/// <item>several, separated by commas, <c>http://127.0.0.1:5101,http://127.0.0.1:5111</c>: one per replica; callers
/// balance the calls across those that answer (the gateway's YARP cluster with health checks, gRPC clients with
/// round robin);</item>
/// <item>with <see cref="ResolveDnsKey"/> (<c>Services:ResolveDns=true</c>), each address's host name stands for every
/// address DNS gives for it (a Kubernetes headless Service: one A record per ready pod), read again as pods come and go.</item>
/// </list>
/// Every address is absolute http:// (cleartext HTTP/2) or https://, all of one scheme, with no path.
/// </summary>
public sealed record ServiceAddresses(string Service, IReadOnlyList<Uri> Replicas, bool ResolveDns)
{
    /// <summary>Configuration key: resolve each host name of the <c>Services</c> addresses to all its DNS addresses (default false).</summary>
    public const string ResolveDnsKey = "Services:ResolveDns";

    /// <summary>The one address, for a single replica.</summary>
    public Uri First => Replicas[0];

    /// <summary>Whether callers balance across several endpoints (several addresses, or names DNS may resolve to several).</summary>
    public bool Balanced => Replicas.Count > 1 || ResolveDns;

    /// <summary>Reads the value at <paramref name="key"/>; throws <see cref="InvalidOperationException"/> naming the key when it is missing or malformed.</summary>
    public static ServiceAddresses Read(IConfiguration configuration, string key, string service) =>
        Parse(configuration[key], key, service, configuration.GetValue(ResolveDnsKey, false));

    /// <summary>The value of <paramref name="key"/> read as addresses (see the type's summary).</summary>
    public static ServiceAddresses Parse(string? value, string key, string service, bool resolveDns)
    {
        var parts = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new InvalidConfigurationException($"{key} must be the service's gRPC address, e.g. http://127.0.0.1:5101 (several, comma-separated, for replicas).");
        }

        var replicas = new List<Uri>();
        foreach (var part in parts)
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
            {
                throw new InvalidConfigurationException($"{key}: '{part}' is not an http:// or https:// address without a path, e.g. http://127.0.0.1:5101.");
            }

            if (replicas.Contains(uri))
            {
                throw new InvalidConfigurationException($"{key}: '{part}' is given twice.");
            }

            replicas.Add(uri);
        }

        if (resolveDns && replicas.Count > 1)
        {
            throw new InvalidConfigurationException($"{key}: with {ResolveDnsKey}=true give one host name per service (DNS names its replicas), not {replicas.Count} addresses.");
        }

        if (replicas.Select(r => r.Scheme).Distinct().Count() > 1)
        {
            throw new InvalidConfigurationException($"{key}: the addresses mix http and https; one service's replicas speak one.");
        }

        return new ServiceAddresses(service, replicas, resolveDns);
    }

    public override string ToString() => string.Join(",", Replicas);
}
