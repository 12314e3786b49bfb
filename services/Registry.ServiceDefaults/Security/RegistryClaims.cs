namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The claims a registry access token carries (a JWT from an OpenID Connect authority, OAuth 2.0
/// client-credentials grant, RFC 6749 §4.4). The registry's own authorization server (Registry.Identity,
/// on OpenIddict) issues them under these names; for another authority (Keycloak, Entra ID) the names
/// are configuration (<c>Auth:ClientIdClaim</c>, <c>Auth:AgencyClaim</c>, <c>Auth:RoleClaim</c>).
/// </summary>
public static class RegistryClaims
{
    /// <summary>The OAuth client id of the calling agency system (RFC 9068 §2.2 <c>client_id</c>).</summary>
    public const string ClientId = "client_id";

    /// <summary>The agency the client acts for, e.g. <c>UA-SSO</c>; one value.</summary>
    public const string Agency = "agency";

    /// <summary>The client's roles (<see cref="RegistryRoles"/>); one claim per role.</summary>
    public const string Role = "role";

    /// <summary>The audience every registry access token is issued for (the <c>aud</c> claim).</summary>
    public const string Audience = "registry";

    /// <summary>The OAuth scope a client asks for to call the registry.</summary>
    public const string Scope = "registry";
}
