namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// A message a consumer has applied. Written in the same transaction as the consumer's change, so a
/// redelivered message (the broker delivers at least once) is recognised and applied only once.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public required string Consumer { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}
