using System.Security.Cryptography;
using Registry.ServiceDefaults.Security;

namespace Registry.Identity.Clients;

/// <summary>
/// One agency system registered with the authorization server: an OpenIddict application (confidential
/// client, client-credentials grant, scope <c>registry</c>) whose Properties carry the agency, the roles and
/// the enabled flag. They live on the application row rather than in a table of their own so that one store
/// call reads and writes a client whole, and OpenIddict's concurrency token guards them with the secret.
/// </summary>
/// <param name="ClientId">The OAuth client id, e.g. <c>ua-sso-intake</c>.</param>
/// <param name="DisplayName">Who the system is, for operators.</param>
/// <param name="Agency">The agency code it acts for, e.g. <c>UA-SSO</c>; issued as the <c>agency</c> claim.</param>
/// <param name="Roles">Its roles, each one of <see cref="RegistryRoles.All"/>; issued as <c>role</c> claims.</param>
/// <param name="Enabled">False after <c>registryctl clients disable</c>: the token endpoint answers invalid_client.</param>
public sealed record AgencyClient(string ClientId, string DisplayName, string Agency, IReadOnlyList<string> Roles, bool Enabled)
{
    /// <summary>
    /// Checks a client before it is stored.
    /// </summary>
    /// <exception cref="ArgumentException">An empty client id or agency, no role, or a role outside <see cref="RegistryRoles.All"/> (DOMAIN.md "Roles").</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new ArgumentException("A client needs a client id.");
        }

        if (string.IsNullOrWhiteSpace(Agency))
        {
            throw new ArgumentException($"Client '{ClientId}' needs an agency code (e.g. UA-SSO).");
        }

        if (Roles.Count == 0)
        {
            throw new ArgumentException($"Client '{ClientId}' needs at least one role: {string.Join(", ", RegistryRoles.All)}.");
        }

        foreach (var role in Roles.Where(r => !RegistryRoles.All.Contains(r)))
        {
            throw new ArgumentException($"Client '{ClientId}': '{role}' is not a role of the registry ({string.Join(", ", RegistryRoles.All)}).");
        }
    }

    /// <summary>Whether both describe the same client (roles compared as a set).</summary>
    public bool SameAs(AgencyClient other) =>
        ClientId == other.ClientId && DisplayName == other.DisplayName && Agency == other.Agency && Enabled == other.Enabled
        && Roles.ToHashSet().SetEquals(other.Roles);

    /// <summary>A new random secret: 32 bytes, base64url (256 bits).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
