using Grpc.Core;
using Registry.Embedded.Credentials;
using Registry.ServiceDefaults.Security;

namespace Registry.Load;

/// <summary>
/// Who the load generator calls as: each registration with a token of an intake officer of its capturing agency (the
/// registry refuses a capture in another agency's name), every read and search with a token of a reader (a coordinator,
/// else an ICRC delegate or an auditor: roles the access table lets read any case). Clients and secrets come from a
/// credentials file (<see cref="DevelopmentClientsFile"/>: tools/stack.sh, deploy/run-local.sh and the embedded host
/// write one); tokens are fetched once per client by the client-credentials grant and refreshed before they expire
/// (<see cref="ClientCredentialsTokens"/>), and sent as gRPC call credentials (<c>authorization: Bearer …</c>).
/// </summary>
public sealed class Callers
{
    private static readonly string[] ReaderRoles = [RegistryRoles.Coordinator, RegistryRoles.IcrcDelegate, RegistryRoles.Auditor];

    private readonly Dictionary<string, CallCredentials> _registrars;

    private Callers(ClientCredentialsTokens tokens, IReadOnlyDictionary<string, ClientCredentials> registrars, ClientCredentials reader)
    {
        _registrars = registrars.ToDictionary(r => r.Key, r => Bearer(tokens, r.Value));
        Reader = Bearer(tokens, reader);
        ReaderClient = reader.ClientId;
        RegistrarClients = registrars.ToDictionary(r => r.Key, r => r.Value.ClientId);
    }

    /// <summary>The agencies it can register captures for: those with an intake-officer client in the file.</summary>
    public IReadOnlyCollection<string> Agencies => _registrars.Keys;

    /// <summary>Call credentials of the reader (GetCaseFile, SearchCases).</summary>
    public CallCredentials Reader { get; }

    public string ReaderClient { get; }

    public IReadOnlyDictionary<string, string> RegistrarClients { get; }

    /// <summary>Call credentials of the intake officer of <paramref name="agency"/>.</summary>
    /// <exception cref="KeyNotFoundException">No client registers for that agency.</exception>
    public CallCredentials Registrar(string agency) => _registrars[agency];

    /// <summary>The callers of a credentials file; <paramref name="authority"/>, when given, replaces the file's (the same server reached by another name).</summary>
    /// <exception cref="ArgumentException">The file has no intake officer or no reader.</exception>
    public static Callers From(string path, Uri? authority, HttpClient http)
    {
        var file = DevelopmentClientsFile.Read(path);
        var issuer = authority ?? new Uri(file.Authority);
        var registrars = file.Clients.Where(c => c.Roles.Contains(RegistryRoles.IntakeOfficer)).GroupBy(c => c.Agency)
            .ToDictionary(g => g.Key, g => new ClientCredentials(issuer, g.First().ClientId, g.First().Secret));
        if (registrars.Count == 0)
        {
            throw new ArgumentException($"{path} has no client with the role {RegistryRoles.IntakeOfficer}: nothing could be registered.");
        }

        var reader = ReaderRoles.Select(r => file.Find(r)).FirstOrDefault(c => c is not null)
            ?? throw new ArgumentException($"{path} has no client with a role that reads any case ({string.Join(", ", ReaderRoles)}).");
        return new Callers(new ClientCredentialsTokens(http, TimeProvider.System), registrars, new ClientCredentials(issuer, reader.ClientId, reader.Secret));
    }

    private static CallCredentials Bearer(ClientCredentialsTokens tokens, ClientCredentials credentials) =>
        CallCredentials.FromInterceptor(async (context, metadata) =>
            metadata.Add("authorization", $"Bearer {await tokens.GetAsync(credentials, context.CancellationToken)}"));
}
