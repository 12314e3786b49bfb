using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.ServiceDefaults.Security;

namespace Registry.Embedded.Credentials;

/// <summary>One development client: an agency system registered with the authorization server, with its secret in clear.</summary>
/// <param name="ClientId">The OAuth client id, e.g. <c>ua-sso-intake</c>.</param>
/// <param name="Agency">The agency code it acts for, e.g. <c>UA-SSO</c>.</param>
/// <param name="Roles">Its roles (DOMAIN.md "Roles"), e.g. <c>intake-officer</c>.</param>
/// <param name="Secret">The client secret (256 random bits, base64url); the server stores it only hashed.</param>
/// <param name="DisplayName">Who the system is, for operators.</param>
public sealed record DevelopmentClient(string ClientId, string Agency, IReadOnlyList<string> Roles, string Secret, string DisplayName);

/// <summary>
/// The file of DEVELOPMENT client credentials (<c>dev-clients.json</c>) that the embedded host, deploy/run-local.sh and
/// tools/stack.sh write beside their data and that the load generator, the drills and the tests read to get tokens:
/// the authority's issuer URL and each client's id, agency, roles and secret in clear. Written with mode 600; never
/// in the repository and never for production (QUALITY.md "Security": clearly marked development defaults only).
/// </summary>
/// <remarks>
/// Shared as a linked source file by deploy/Registry.Embedded (writer), tools/Registry.Load and
/// tests/Registry.Deploy.Tests (readers); the shell scripts write the same shape with jq-free heredocs.
/// </remarks>
public sealed record DevelopmentClientsFile(string Warning, string Authority, IReadOnlyList<DevelopmentClient> Clients)
{
    public const string FileName = "dev-clients.json";

    public const string DevelopmentOnly =
        "DEVELOPMENT ONLY: secrets generated on this machine for local runs. Never use them, or this file, in production.";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a credentials file (no authority or no clients), naming the path.</exception>
    public static DevelopmentClientsFile Read(string path)
    {
        var file = JsonSerializer.Deserialize<DevelopmentClientsFile>(File.ReadAllText(path), Json);
        if (file is null || string.IsNullOrEmpty(file.Authority) || file.Clients is null)
        {
            throw new InvalidDataException($"{path} is not a client credentials file (it needs \"authority\" and \"clients\").");
        }

        return file;
    }

    /// <summary>Writes the file readable and writable by its owner only (mode 600 on Unix), replacing it whole.</summary>
    public void Write(string path)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, this, Json);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The first client holding <paramref name="role"/> (of <paramref name="agency"/> when given), or null.</summary>
    public DevelopmentClient? Find(string role, string? agency = null) =>
        Clients.FirstOrDefault(c => c.Roles.Contains(role) && (agency is null || c.Agency == agency));

    /// <summary>The client holding <paramref name="role"/> (of <paramref name="agency"/> when given).</summary>
    /// <exception cref="InvalidOperationException">None does.</exception>
    public DevelopmentClient Get(string role, string? agency = null) =>
        Find(role, agency) ?? throw new InvalidOperationException($"No client with role {role}{(agency is null ? "" : $" of {agency}")} in the credentials file.");

    /// <summary>What <see cref="ClientCredentialsTokens"/> needs to get a token for <paramref name="client"/> at this file's authority.</summary>
    public ClientCredentials Credentials(DevelopmentClient client) => new(new Uri(Authority), client.ClientId, client.Secret);
}
