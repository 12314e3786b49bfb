using System.Collections.Concurrent;
using Grpc.Net.Client;
using Registry.Embedded.Credentials;
using Registry.ServiceDefaults.Security;

namespace Registry.Deploy.Tests;

/// <summary>
/// The embedded host's development clients as a newcomer uses them: read from the <c>dev-clients.json</c> the host
/// wrote in its data directory, each role's calls sent with that client's own token (client-credentials grant at the
/// host's authorization server, through <see cref="BearerTokenHandler"/>). One channel per (role, agency), cached.
/// </summary>
public sealed class EmbeddedCallers(Uri address, DevelopmentClientsFile clients) : IDisposable
{
    private readonly ClientCredentialsTokens _tokens = new(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, TimeProvider.System);
    private readonly ConcurrentDictionary<(string, string?), GrpcChannel> _channels = new();

    public DevelopmentClientsFile Clients { get; } = clients;

    /// <summary>The callers of the host whose data directory is <paramref name="dataPath"/>, calling <paramref name="address"/>.</summary>
    public static EmbeddedCallers Read(string dataPath, Uri address) =>
        new(address, DevelopmentClientsFile.Read(Path.Combine(dataPath, DevelopmentClientsFile.FileName)));

    /// <summary>A channel whose every call carries a token of the development client holding <paramref name="role"/> (of <paramref name="agency"/>).</summary>
    public GrpcChannel As(string role, string? agency = null) => _channels.GetOrAdd((role, agency), _ =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new BearerTokenHandler(_tokens, Clients.Credentials(Clients.Get(role, agency))) { InnerHandler = new SocketsHttpHandler() },
        }));

    /// <summary>A plain HTTP client for the gateway's HTTP/JSON at <paramref name="baseAddress"/>, with the same tokens as <see cref="As"/>.</summary>
    public HttpClient HttpAs(Uri baseAddress, string role, string? agency = null) =>
        new(new BearerTokenHandler(_tokens, Clients.Credentials(Clients.Get(role, agency))) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public GrpcChannel IntakeOfficer => As(RegistryRoles.IntakeOfficer);
    public GrpcChannel Custodian => As(RegistryRoles.Custodian);
    public GrpcChannel Medic => As(RegistryRoles.Medic);
    public GrpcChannel Coordinator => As(RegistryRoles.Coordinator);
    public GrpcChannel Auditor => As(RegistryRoles.Auditor);

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
