using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Registry.ServiceDefaults.Security;

/// <summary>What the access check learned about a call, for its handler and for the audit record.</summary>
public static class AccessContext
{
    private const string CallerKey = "registry.access.caller";
    private const string WithheldKey = "registry.access.withheld";

    /// <summary>The authenticated caller of this call (set by <see cref="AccessControlInterceptor"/> before the handler runs).</summary>
    /// <exception cref="InvalidOperationException">The call did not pass the access check (a wiring error).</exception>
    public static CallerIdentity Caller(ServerCallContext context) =>
        context.GetHttpContext().Items[CallerKey] as CallerIdentity
        ?? throw new InvalidOperationException($"{context.Method} ran without an access check.");

    /// <summary>Notes that a part of the answer (e.g. <c>medical</c>) was withheld from this caller; the audit records it.</summary>
    public static void Withhold(ServerCallContext context, string part)
    {
        var items = context.GetHttpContext().Items;
        if (items[WithheldKey] is not List<string> parts)
        {
            items[WithheldKey] = parts = [];
        }

        if (!parts.Contains(part))
        {
            parts.Add(part);
        }
    }

    internal static void SetCaller(HttpContext http, CallerIdentity caller) => http.Items[CallerKey] = caller;

    internal static string Withheld(HttpContext http) =>
        http.Items[WithheldKey] is List<string> parts ? string.Join(",", parts) : "";
}
