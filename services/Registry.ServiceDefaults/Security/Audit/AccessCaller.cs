using System.Security.Claims;
using Grpc.Core;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>Who made a call, as the service itself verified it (never as a request says).</summary>
public sealed record AccessCaller(string ClientId, string Agency, string Roles)
{
    /// <summary>A call without a verified identity: empty fields.</summary>
    public static readonly AccessCaller Anonymous = new("", "", "");

    /// <summary>
    /// The identity carried by <paramref name="user"/>, the principal ASP.NET Core authentication set from a validated
    /// token (claims <see cref="RegistryClaims.ClientId"/>, <see cref="RegistryClaims.Agency"/>, <see cref="RegistryClaims.Role"/>);
    /// <see cref="Anonymous"/> when not authenticated.
    /// </summary>
    public static AccessCaller From(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true
            ? new(user.FindFirst(RegistryClaims.ClientId)?.Value ?? "",
                user.FindFirst(RegistryClaims.Agency)?.Value ?? "",
                string.Join(',', user.FindAll(RegistryClaims.Role).Select(c => c.Value).Order(StringComparer.Ordinal)))
            : Anonymous;
}

/// <summary>
/// THE HOOK for the caller's identity in what the audit records itself (ReportRefusal): the access interceptor's
/// authentication decides who the caller is. The default reads the authenticated principal of the call
/// (<see cref="AccessCaller.From(ClaimsPrincipal)"/>); replace the registration to read it from elsewhere.
/// </summary>
public interface IAccessCallerIdentity
{
    AccessCaller Of(ServerCallContext context);
}

/// <summary>The caller as ASP.NET Core authentication (JwtBearer) left it on the call's HttpContext.</summary>
public sealed class ClaimsAccessCallerIdentity : IAccessCallerIdentity
{
    public AccessCaller Of(ServerCallContext context) => AccessCaller.From(context.GetHttpContext().User);
}
