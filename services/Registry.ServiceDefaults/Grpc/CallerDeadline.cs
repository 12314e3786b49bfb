using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// The deadline of the gRPC call this request serves (its <c>grpc-timeout</c>, gRPC's PROTOCOL-HTTP2), which the registry's
/// gRPC clients carry on to the calls they make for it (call-context propagation, <see cref="RegistryGrpcClients"/>).
/// </summary>
public static class CallerDeadline
{
    /// <summary>The caller's deadline in UTC, or <see cref="DateTime.MaxValue"/> when it set none or no gRPC call is being served.</summary>
    public static DateTime Of(IHttpContextAccessor? accessor) =>
        accessor?.HttpContext?.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Deadline ?? DateTime.MaxValue;

    /// <summary>
    /// Whether a call made with <paramref name="ownDeadline"/> (both UTC) ran under the caller's deadline instead: then its
    /// DEADLINE_EXCEEDED is the caller's time running out, not the other service being slow, and the answer is
    /// DEADLINE_EXCEEDED (<see cref="RpcErrors.CallerDeadlineExceeded"/>), never UNAVAILABLE or a fallback. Decided from the
    /// deadlines, not from the server's cancellation token, because the client's timer for the propagated deadline and the
    /// server's timer for the same deadline fire in either order.
    /// </summary>
    public static bool Governs(DateTime callersDeadline, DateTime ownDeadline) => callersDeadline <= ownDeadline;
}
