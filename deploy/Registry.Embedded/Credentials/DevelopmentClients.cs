using Registry.Identity.Clients;
using Registry.ServiceDefaults.Security;

namespace Registry.Embedded.Credentials;

/// <summary>
/// The demo's agency systems (DOMAIN.md "Roles"; the seed story's agencies), registered with the embedded
/// authorization server on every start through its configured-clients path (<c>Identity:Clients:N:*</c>,
/// <see cref="ConfiguredClients"/>). Their secrets are generated on the first start, kept in
/// <c>{DataPath}/dev-clients.json</c> (mode 600) and reused on later starts, so a token command keeps working.
/// </summary>
public static class DevelopmentClients
{
    /// <summary>The demo's clients: (client id, agency, role, who it is).</summary>
    public static readonly IReadOnlyList<(string ClientId, string Agency, string Role, string DisplayName)> Demo =
    [
        ("ua-sso-intake", "UA-SSO", RegistryRoles.IntakeOfficer, "Special Operations Forces intake desk (development)"),
        ("ua-sbu-custodian", "UA-SBU", RegistryRoles.Custodian, "SBU detention facility, Kyiv (development)"),
        ("ua-sbu-medic", "UA-SBU", RegistryRoles.Medic, "SBU detention facility medical unit (development)"),
        ("ua-pow-hq-coordinator", "UA-POW-HQ", RegistryRoles.Coordinator, "Coordination HQ for the treatment of POWs (development)"),
        ("icrc-delegate", "ICRC", RegistryRoles.IcrcDelegate, "ICRC Central Tracing Agency delegate (development)"),
        ("ua-ombudsman-auditor", "UA-OMBUDSMAN", RegistryRoles.Auditor, "Parliament Commissioner for Human Rights, auditor (development)"),
        ("kr-nis-partner", "KR-NIS", RegistryRoles.Partner, "National Intelligence Service of the Republic of Korea, partner (development)"),
    ];

    /// <summary>
    /// Reads <c>dev-clients.json</c> in <paramref name="dataPath"/>, adds a client (with a new secret) for each demo
    /// client it lacks, writes it back naming <paramref name="authority"/>, and returns it.
    /// </summary>
    public static DevelopmentClientsFile LoadOrCreate(string dataPath, Uri authority)
    {
        var path = PathIn(dataPath);
        var existing = File.Exists(path) ? DevelopmentClientsFile.Read(path).Clients.ToDictionary(c => c.ClientId) : [];
        var clients = Demo.Select(d => new DevelopmentClient(
            d.ClientId, d.Agency, [d.Role],
            existing.TryGetValue(d.ClientId, out var known) ? known.Secret : AgencyClient.NewSecret(),
            d.DisplayName)).ToList();
        var file = new DevelopmentClientsFile(DevelopmentClientsFile.DevelopmentOnly, authority.ToString(), clients);
        file.Write(path);
        return file;
    }

    /// <summary>Where the file is in <paramref name="dataPath"/> (absolute).</summary>
    public static string PathIn(string dataPath) => Path.GetFullPath(Path.Combine(dataPath, DevelopmentClientsFile.FileName));

    /// <summary>The clients as configuration keys of the identity module (<c>Identity:Clients:N:…</c>).</summary>
    /// <param name="file">The clients.</param>
    /// <param name="first">The index of the first: the number of clients configured otherwise.</param>
    public static IEnumerable<KeyValuePair<string, string?>> AsConfiguration(DevelopmentClientsFile file, int first = 0)
    {
        foreach (var (client, n) in file.Clients.Select((c, n) => (c, n)))
        {
            var prefix = $"{ConfiguredClients.Section}:{first + n}";
            yield return new($"{prefix}:ClientId", client.ClientId);
            yield return new($"{prefix}:Secret", client.Secret);
            yield return new($"{prefix}:Agency", client.Agency);
            yield return new($"{prefix}:DisplayName", client.DisplayName);
            foreach (var (role, j) in client.Roles.Select((r, j) => (r, j)))
            {
                yield return new($"{prefix}:Roles:{j}", role);
            }
        }
    }
}
