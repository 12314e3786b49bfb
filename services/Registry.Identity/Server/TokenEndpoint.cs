using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Registry.Identity.Clients;
using Registry.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Registry.Identity.Server;

/// <summary>
/// The token endpoint's last step (OpenIddict passthrough): OpenIddict has already checked the request, the
/// grant type and the client's secret; this refuses a disabled client and issues the access token.
/// </summary>
internal static class TokenEndpoint
{
    /// <summary>
    /// Answers a client-credentials request (RFC 6749 §4.4) with a JWT access token (RFC 9068) whose claims are
    /// <c>sub</c> and <c>client_id</c> (the client id), <c>agency</c> (one), <c>role</c> (one per role),
    /// audience <c>registry</c> and scope <c>registry</c>. A disabled client gets invalid_client (RFC 6749 §5.2).
    /// </summary>
    public static async Task<IResult> HandleAsync(HttpContext http, IOpenIddictApplicationManager applications, ClientRegistry registry)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request is missing: the token endpoint is mapped without OpenIddict.");
        if (!request.IsClientCredentialsGrantType())
        {
            return Refuse(Errors.UnsupportedGrantType, "Only the client_credentials grant is supported.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted);
        var client = application is null ? null : await registry.ReadAsync(application, http.RequestAborted);
        if (client is not { Enabled: true })
        {
            return Refuse(Errors.InvalidClient, "The client is disabled.");
        }

        var identity = new ClaimsIdentity(
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, RegistryClaims.Role);
        identity.SetClaim(Claims.Subject, client.ClientId);
        identity.SetClaim(RegistryClaims.ClientId, client.ClientId);
        identity.SetClaim(RegistryClaims.Agency, client.Agency);
        identity.SetClaims(RegistryClaims.Role, [.. client.Roles]);
        identity.SetScopes(RegistryClaims.Scope);
        identity.SetResources(RegistryClaims.Audience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
