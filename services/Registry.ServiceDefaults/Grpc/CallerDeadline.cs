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
    /// Whether a call made with <paramref name="ownDeadline"/> (both UTC) ended because the caller's deadline ran out: the
    /// caller's deadline was the one the call ran under (no later than the service's own) and it has passed. Then the call's
    /// failure, whatever its status (DEADLINE_EXCEEDED from the client's timer; CANCELLED or INTERNAL when the other service's
    /// own timer for the same deadline reset the stream first), is the caller's time running out, not the other service
    /// being slow or down, and the answer is DEADLINE_EXCEEDED (<see cref="RpcErrors.CallerDeadlineExceeded"/>), never
    /// UNAVAILABLE or a fallback. Decided from the deadlines and the clock, not from the server's cancellation token, because
    /// the client's timer for the propagated deadline and the server's timer for the same deadline fire in either order.
    /// A failure before the caller's deadline (the other service cut the call at a bound of its own) is not the caller's.
    /// </summary>
    public static bool RanOut(DateTime callersDeadline, DateTime ownDeadline) =>
        callersDeadline <= ownDeadline && DateTime.UtcNow >= callersDeadline;
}
