using Microsoft.Extensions.Configuration;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// How long calls to a registry service may run and how its HTTP/2 connections find a dead peer
/// (configuration section <c>Grpc</c>; durations as TimeSpans, <c>00:00:30</c>). Read by every
/// service and the gateway.
/// </summary>
public sealed class GrpcCallOptions
{
    public const string Section = "Grpc";

    /// <summary>
    /// The deadline of a unary call whose caller set none, or one grpc-dotnet ignores (a malformed
    /// <c>grpc-timeout</c>, a zero one, <c>1n</c>, which it reads as zero): 10 s, the gateway's
    /// <c>Services:ForwardedCallTimeout</c>. At it the handler's cancellation token fires (a query waiting
    /// on a lock is cancelled and its session goes back to the pool) and the caller gets DEADLINE_EXCEEDED.
    /// </summary>
    public TimeSpan UnaryCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest a unary call may run whatever deadline its caller set: 10 s, the gateway's
    /// <c>Services:MaxForwardedCallTimeout</c>. No caller holds a database session longer, and it must stay
    /// below the pool's wait for a free session (Npgsql's <c>Timeout</c>, 15 s by default; checked at start
    /// by <see cref="Data.RegistryDatabase"/>): then a call that finds every session taken by stuck calls
    /// gets one when the first of them reaches this bound, before its own wait runs out. A bound longer
    /// than the wait would let callers who keep the pool full make every other call fail.
    /// </summary>
    public TimeSpan MaxUnaryCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The bound of a bulk call (a request that is a <see cref="Registry.Protos.IBulkRequest"/>: ImportCaptures' list of
    /// up to 1,000 rows), in place of <see cref="UnaryCallTimeout"/> and <see cref="MaxUnaryCallTimeout"/>: 60 s, the
    /// gateway's <c>Services:MaxForwardedBulkCallTimeout</c>. A thousand registrations' work does not fit a single call's
    /// bound on a loaded machine (at 10 s, calls of 1,000 rows ran out and were sent again whole). Longer than the pool's
    /// wait is allowed because at most <see cref="MaxConcurrentBulkCalls"/> run at once: they hold that many sessions,
    /// never the whole pool (checked at start by <see cref="Data.RegistryDatabase"/>).
    /// </summary>
    public TimeSpan BulkCallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Bulk calls a service process runs at once: 1 to 16 (default 2). Another one waits for a slot, within its bound,
    /// and ends DEADLINE_EXCEEDED if none frees in time; single calls never wait for these slots.
    /// </summary>
    public int MaxConcurrentBulkCalls { get; init; } = 2;

    /// <summary>
    /// Bulk calls a service process lets wait for a slot: 0 to 64 (default 4). One more is refused at once with
    /// RESOURCE_EXHAUSTED and a google.rpc.RetryInfo (<see cref="RpcErrors.BulkCallsBusy"/>), instead of waiting out its
    /// deadline behind the others while its retry joins the same queue (a trial's import with 8 calls in flight failed so).
    /// </summary>
    public int MaxWaitingBulkCalls { get; init; } = 4;

    /// <summary>
    /// HTTP/2 PING after this long without a frame from the peer, on the service's gRPC endpoint
    /// (Kestrel) and on the registry's gRPC clients and the gateway's forwarding (SocketsHttpHandler,
    /// while a call is open): a stream that is idle by design is kept, a peer that vanished is found.
    /// 30 s (Kestrel's default is never).
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a PING may go unanswered before the connection is closed as dead (20 s, Kestrel's default).</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public static GrpcCallOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var defaults = new GrpcCallOptions();
        var options = new GrpcCallOptions
        {
            UnaryCallTimeout = DurationSetting.Positive(section, nameof(UnaryCallTimeout), defaults.UnaryCallTimeout),
            MaxUnaryCallTimeout = DurationSetting.Positive(section, nameof(MaxUnaryCallTimeout), defaults.MaxUnaryCallTimeout),
            KeepAlivePingDelay = DurationSetting.Positive(section, nameof(KeepAlivePingDelay), defaults.KeepAlivePingDelay),
            KeepAlivePingTimeout = DurationSetting.Positive(section, nameof(KeepAlivePingTimeout), defaults.KeepAlivePingTimeout),
            BulkCallTimeout = DurationSetting.Positive(section, nameof(BulkCallTimeout), defaults.BulkCallTimeout),
            MaxConcurrentBulkCalls = section.GetValue(nameof(MaxConcurrentBulkCalls), defaults.MaxConcurrentBulkCalls),
            MaxWaitingBulkCalls = section.GetValue(nameof(MaxWaitingBulkCalls), defaults.MaxWaitingBulkCalls),
        };
        if (options.MaxConcurrentBulkCalls is < 1 or > 16)
        {
            throw new InvalidConfigurationException($"{Section}:{nameof(MaxConcurrentBulkCalls)} must be 1 to 16, not {options.MaxConcurrentBulkCalls}.");
        }

        if (options.MaxWaitingBulkCalls is < 0 or > 64)
        {
            throw new InvalidConfigurationException($"{Section}:{nameof(MaxWaitingBulkCalls)} must be 0 to 64, not {options.MaxWaitingBulkCalls}.");
        }

        return options.UnaryCallTimeout <= options.MaxUnaryCallTimeout
            ? options
            : throw new InvalidConfigurationException(
                $"{Section}:{nameof(UnaryCallTimeout)} ({options.UnaryCallTimeout}) must not exceed {Section}:{nameof(MaxUnaryCallTimeout)} ({options.MaxUnaryCallTimeout}).");
    }

}
