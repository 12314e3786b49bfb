using System.Diagnostics;
using System.Text.Json;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// An event waiting to be published. Written in the same transaction as the state change it
/// announces, so that an accepted change and its event are never separated. A row is pending until
/// it is sent (<see cref="SentAt"/>) or parked (<see cref="ParkedAt"/>): see <see cref="OutboxDispatcher{TDb}"/>.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Longest <see cref="OrderingKey"/>: a GUID in its "D" form is 36 characters.</summary>
    public const int OrderingKeyLength = 100;

    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }

    /// <summary>
    /// W3C <c>traceparent</c> (<c>00-{trace id}-{span id}-{flags}</c>) of the request that caused the event,
    /// with the caller's sampling decision in its flags, so the trace continues on the bus, or stays
    /// unrecorded there too (see <see cref="TraceContextOf"/>).
    /// </summary>
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }

    /// <summary>
    /// The events that must reach consumers in the order they were written: those of one case (its id in
    /// the "D" form; <see cref="OutboxOrdering"/>). Rows with the same key are published one after the other
    /// in <see cref="Id"/> order; rows with different keys, or none, in parallel.
    /// </summary>
    public string? OrderingKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Publish attempts that failed because of this row (a broker outage counts none).</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>Not tried again before this instant (set after a failed attempt; null: as soon as possible).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>
    /// When the dispatcher gave up on the row (it can never be published, or it failed
    /// <see cref="OutboxDispatch.MaxAttempts"/> times): kept with <see cref="LastError"/>, never published
    /// nor deleted by retention, until <c>registryctl outbox retry</c> re-queues it.
    /// </summary>
    public DateTimeOffset? ParkedAt { get; set; }

    public static OutboxMessage Create<T>(T message, DateTimeOffset now) where T : class => Create(message, now, Activity.Current);

    /// <summary>
    /// As <see cref="Create{T}(T, DateTimeOffset)"/>, for an event whose cause is <paramref name="cause"/> rather than the
    /// current activity: a registration committed in a batch with other callers' (its own request's span, so that its trace,
    /// not the batch's, goes on across the bus).
    /// </summary>
    public static OutboxMessage Create<T>(T message, DateTimeOffset now, Activity? cause) where T : class
    {
        var (traceParent, traceState) = TraceContextOf(cause);
        return new OutboxMessage
        {
            MessageId = Guid.NewGuid(),
            // The contract's stable name, not its CLR name: a row must still dispatch after a rename.
            MessageType = MessageNames.NameOf(typeof(T)),
            Payload = JsonSerializer.Serialize(message),
            OrderingKey = OutboxOrdering.KeyOf(message),
            TraceParent = traceParent,
            TraceState = traceState,
            CreatedAt = now,
        };
    }

    /// <summary>
    /// The W3C trace context to store for <paramref name="activity"/>: its trace id, its span id and whether
    /// it is sampled (<c>-01</c>) or not (<c>-00</c>). For a request whose caller sent
    /// <c>traceparent: …-00</c>, ASP.NET Core still creates the request's activity as a propagation-only one
    /// (OpenTelemetry's ParentBased sampler drops it, and a dropped span with a remote parent keeps the
    /// context): not recorded, flags <c>00</c>. Storing that is what lets the dispatcher keep the publish and
    /// the consumers unrecorded too. No activity (no listener at all): nothing is stored, and the publish
    /// starts where the dispatcher's sampler says.
    /// </summary>
    public static (string? TraceParent, string? TraceState) TraceContextOf(Activity? activity)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return (null, null);
        }

        var sampled = activity.ActivityTraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00";
        return ($"00-{activity.TraceId.ToHexString()}-{activity.SpanId.ToHexString()}-{sampled}", activity.TraceStateString);
    }
}
