using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using Grpc.Core;

namespace Registry.ServiceDefaults.Security;

/// <summary>The answer of <see cref="AccessPolicy"/> for one call, before any case is looked at.</summary>
public sealed record AccessDecision(StatusCode Status, string Reason, CallerIdentity? Caller, AccessRow? Row, AccessScope Scope, string? Role)
{
    public bool Allowed => Status == StatusCode.OK;
}

/// <summary>
/// The one decision the gateway and every service make for a call: who the caller is (the bearer token,
/// validated against the authority) and whether the access table lets any of its roles call the method.
/// UNAUTHENTICATED (RFC 6750 §3.1 invalid_token) when there is no valid token, with the reason in the
/// status message; PERMISSION_DENIED when no role of the caller may call the method, or the table has no
/// row for it (fail closed). Scope on a case (own agency, shared) is checked after this, where the case is
/// known (<see cref="AccessControlInterceptor"/>).
/// </summary>
public sealed class AccessPolicy(AccessTable table, RegistryAuthOptions options, DisabledClients disabled)
{
    /// <summary>
    /// Methods every caller may use without a token: health checks and server reflection (QUALITY.md
    /// "Security"), and <c>AccessAuditService/ReportRefusal</c>, by which the gateway hands a refusal to the
    /// owning service's audit — a refused caller may have no valid token, and the service records only the
    /// identity it verifies itself (anonymous otherwise), marked as decided by the gateway.
    /// </summary>
    public static bool IsOpen(string method)
    {
        var name = method.TrimStart('/');
        return name.StartsWith("grpc.health.v1.", StringComparison.Ordinal)
            || name.StartsWith("grpc.reflection.", StringComparison.Ordinal)
            || name == "registry.audit.v1.AccessAuditService/ReportRefusal";
    }

    public AccessTable Table => table;

    public async Task<AccessDecision> DecideAsync(HttpContext http, string method)
    {
        var name = method.TrimStart('/');
        var row = table.Find(name);
        var result = await RegistryAuthentication.AuthenticateAsync(http);
        if (!result.Succeeded)
        {
            // A token that could not be checked because the authority's keys are out of reach is the
            // registry's fault, not the caller's: UNAVAILABLE, so the caller retries.
            var status = result.Failure is null or SecurityTokenException or ArgumentException ? StatusCode.Unauthenticated : StatusCode.Unavailable;
            return new AccessDecision(status, UnauthenticatedReason(http, result.Failure), null, row, AccessScope.Denied, null);
        }

        var caller = CallerIdentity.From(result.Principal, options);
        if (caller is null)
        {
            return new AccessDecision(StatusCode.Unauthenticated,
                $"The access token names no client or no agency (claims '{options.ClientIdClaim}' and '{options.AgencyClaim}' are required).",
                null, row, AccessScope.Denied, null);
        }

        if (disabled.IsDisabled(caller.ClientId))
        {
            return new AccessDecision(StatusCode.Unauthenticated, $"Client '{caller.ClientId}' is disabled at the authority; its tokens are no longer accepted.", null, row, AccessScope.Denied, null);
        }

        if (row is null)
        {
            return new AccessDecision(StatusCode.PermissionDenied, $"{name} has no row in the access table, so no role may call it.", caller, null, AccessScope.Denied, null);
        }

        var (scope, role) = row.Best(caller.Roles);
        return scope == AccessScope.Denied
            ? new AccessDecision(StatusCode.PermissionDenied,
                $"Client '{caller.ClientId}' ({caller.Agency}) with role(s) [{caller.RolesText}] may not call {name}; the access table allows it to [{string.Join(", ", row.Roles.Keys.Order(StringComparer.Ordinal))}].",
                caller, row, scope, null)
            : new AccessDecision(StatusCode.OK, "", caller, row, scope, role);
    }

    /// <summary>Why a token was not accepted, in plain words (never the token itself).</summary>
    public string UnauthenticatedReason(HttpContext http, Exception? failure)
    {
        if (failure is null)
        {
            return http.Request.Headers.Authorization.Count == 0
                ? "No access token: call with 'authorization: Bearer <token>' (OAuth 2.0 client credentials from the registry's authorization server)."
                : "The authorization header is not 'Bearer <token>'.";
        }

        return failure switch
        {
            SecurityTokenExpiredException expired => $"The access token expired at {expired.Expires:u}; get a new one.",
            SecurityTokenNotYetValidException early => $"The access token is not valid before {early.NotBefore:u}.",
            SecurityTokenInvalidAudienceException => $"The access token is not for this audience (expected '{options.Audience}').",
            SecurityTokenInvalidIssuerException => $"The access token was issued by another authority (expected '{options.Authority}').",
            SecurityTokenSignatureKeyNotFoundException => "The access token is signed by a key the authority does not publish.",
            SecurityTokenInvalidSignatureException => "The access token's signature does not verify.",
            SecurityTokenMalformedException or ArgumentException => "The access token is malformed (not a signed JWT).",
            SecurityTokenNoExpirationException => "The access token has no expiry.",
            SecurityTokenException => $"The access token was refused ({failure.GetType().Name}).",
            _ => $"The access token could not be checked: the authority's keys are not available ({failure.GetType().Name}).",
        };
    }
}
