using System.Diagnostics;
using System.Text.Json;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// An event waiting to be published. Written in the same transaction as the state change it
/// announces, so that an accepted change and its event are never separated.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    /// <summary>W3C trace context of the request that caused the event, so the trace continues on the bus.</summary>
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    public static OutboxMessage Create<T>(T message, DateTimeOffset now) where T : class
    {
        var activity = Activity.Current;
        return new OutboxMessage
        {
            MessageId = Guid.NewGuid(),
            // The contract's stable name, not its CLR name: a row must still dispatch after a rename.
            MessageType = MessageNames.NameOf(typeof(T)),
            Payload = JsonSerializer.Serialize(message),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            CreatedAt = now,
        };
    }
}
