using System.Security.Claims;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Who is calling, from a validated access token: the OAuth client (one agency system), its agency and
/// its roles. Claim names come from <see cref="RegistryAuthOptions"/> (the registry's own authority uses
/// <see cref="RegistryClaims"/>).
/// </summary>
public sealed record CallerIdentity(string ClientId, string Agency, IReadOnlyList<string> Roles)
{
    public string RolesText => string.Join(",", Roles);

    /// <summary>The caller named by an authenticated principal; null when it lacks a client id or an agency.</summary>
    public static CallerIdentity? From(ClaimsPrincipal? principal, RegistryAuthOptions options)
    {
        if (principal?.Identity is not { IsAuthenticated: true })
        {
            return null;
        }

        var clientId = principal.FindFirst(options.ClientIdClaim)?.Value ?? principal.FindFirst("sub")?.Value;
        var agency = principal.FindFirst(options.AgencyClaim)?.Value;
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(agency))
        {
            return null;
        }

        var roles = principal.FindAll(options.RoleClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new CallerIdentity(clientId, agency, roles);
    }
}
