using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// <c>registry.access.denials</c> (counter, {call}) on <see cref="RegistryTelemetry.Meter"/>: calls refused by the access
/// table or its scope, counted once, where the refusal was decided (the gateway, or the service the call reached),
/// tagged with the caller's roles (<see cref="RoleTag"/>: the token's roles in order, comma-separated; <c>none</c>
/// without a valid token), the gRPC status (<c>rpc.grpc.status_code</c>: 16 UNAUTHENTICATED, 7 PERMISSION_DENIED) and the gRPC service (<c>rpc.service</c>; <c>unknown</c> for a method the access
/// table does not name). A rising rate for one role is a misconfigured agency system, or someone probing.
/// </summary>
public static class AccessMetrics
{
    public const string RoleTag = "registry.role";

    public static readonly Counter<long> Denials = RegistryTelemetry.Meter.CreateCounter<long>(
        "registry.access.denials", "{call}", "Calls refused by the access table, by the caller's roles");

    /// <summary>Counts one refusal of <paramref name="method"/> (<c>package.Service/Method</c>).</summary>
    public static void Denied(string method, StatusCode status, CallerIdentity? caller)
    {
        if (status is not (StatusCode.Unauthenticated or StatusCode.PermissionDenied))
        {
            return; // UNAVAILABLE (the authority's keys could not be read) refuses nobody's access.
        }

        var name = method.TrimStart('/');
        var slash = name.IndexOf('/');
        Denials.Add(1, new TagList
        {
            { RoleTag, caller is { Roles.Count: > 0 } ? caller.RolesText : "none" },
            { "rpc.grpc.status_code", (int)status },
            // Only methods of the access table: a path made up by an unauthenticated caller must not mint a series.
            { "rpc.service", slash > 0 && AccessTable.Default.Find(name) is not null ? name[..slash] : "unknown" },
        });
    }
}
