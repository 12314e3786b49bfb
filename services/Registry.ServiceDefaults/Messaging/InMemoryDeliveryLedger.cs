using System.Collections.Concurrent;
using MassTransit;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Which messages published on the in-memory bus every consumer that should apply them has applied. With
/// MassTransit's in-memory transport, <c>Publish</c> returns once the message is written into each bound
/// queue's in-process channel: nothing is durable, and a kill -9, or a stop while a queue still holds
/// messages, loses what was not consumed yet (MassTransit documents the transport as not durable; its
/// receive agent drops deliveries that arrive while it is stopping). So in the embedded mode an outbox
/// row counts as sent only when this ledger says that its message was applied by every consumer
/// (<see cref="InMemoryOutboxSettlement{TDb}"/>).
/// <list type="bullet">
/// <item>Who should apply a message: every consumer registered through
/// <see cref="RegistryConsumerDefinition{TConsumer, TDb}"/> (<see cref="Expect"/>) whose message type the
/// published type is assignable to; none (an event no module consumes) means settled at once.</item>
/// <item>When a publish starts (<see cref="IPublishObserver.PrePublish{T}"/>, after the message id is set and
/// before the transport delivers it, so no consumer can confirm first), the message is tracked.</item>
/// <item>A consumer confirms (<see cref="Confirm"/>) from its inbox filter once its transaction committed, or
/// when its inbox shows the message applied before (a repeat).</item>
/// </list>
/// A delivery that ends in the in-memory error queue is never confirmed: its row stays unsent and is
/// published again at the next start. Kept per process; what a crash forgets is exactly what is published again.
/// A message no outbox waits for (a fault notice MassTransit publishes, a test's publish) is forgotten when settled.
/// </summary>
public sealed class InMemoryDeliveryLedger : IPublishObserver
{
    private readonly ConcurrentDictionary<Type, Type[]> _consumedBy = new();
    private readonly ConcurrentDictionary<Type, Type[]> _expected = new();
    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();

    /// <summary>Declares that <paramref name="consumer"/> applies messages of <paramref name="messageTypes"/>; called as the bus is configured.</summary>
    public void Expect(Type consumer, IEnumerable<Type> messageTypes)
    {
        _consumedBy[consumer] = messageTypes.ToArray();
        _expected.Clear();
    }

    /// <summary>The consumers that must confirm a message of <paramref name="messageType"/>.</summary>
    public IReadOnlyCollection<Type> ExpectedConsumers(Type messageType) =>
        _expected.GetOrAdd(messageType, type => _consumedBy
            .Where(c => c.Value.Any(consumed => consumed.IsAssignableFrom(type)))
            .Select(c => c.Key)
            .ToArray());

    /// <summary>
    /// Completes when every expected consumer confirmed <paramref name="messageId"/>, published on this bus since
    /// the process started; already completed when none was expected or all have confirmed.
    /// </summary>
    public Task WhenConsumed(Guid messageId) =>
        _pending.TryGetValue(messageId, out var pending) ? pending.Done.Task : Task.CompletedTask;

    /// <summary>A consumer applied <paramref name="messageId"/> (its inbox committed, now or earlier).</summary>
    public void Confirm(Guid messageId, Type consumer)
    {
        if (_pending.TryGetValue(messageId, out var pending) && pending.Confirm(consumer))
        {
            // Settled: whoever waits holds the task; a later WhenConsumed finds nothing, which also means settled.
            _pending.TryRemove(new KeyValuePair<Guid, Pending>(messageId, pending));
        }
    }

    /// <summary>Messages published and not yet applied by all their consumers (deliveries in the in-memory error queue among them).</summary>
    public int Unsettled => _pending.Count;

    private void Track(Guid? messageId, Type messageType)
    {
        if (messageId is not { } id)
        {
            return;
        }

        var expected = ExpectedConsumers(messageType);
        if (expected.Count == 0)
        {
            return;
        }

        // A repeat of a message still tracked (published again before it was settled) keeps its entry.
        _pending.GetOrAdd(id, _ => new Pending(expected));
    }

    Task IPublishObserver.PrePublish<T>(PublishContext<T> context)
    {
        Track(context.MessageId, typeof(T));
        return Task.CompletedTask;
    }

    Task IPublishObserver.PostPublish<T>(PublishContext<T> context) => Task.CompletedTask;

    Task IPublishObserver.PublishFault<T>(PublishContext<T> context, Exception exception)
    {
        // Not delivered: the publisher sees the exception and publishes it again later.
        if (context.MessageId is { } id)
        {
            _pending.TryRemove(id, out _);
        }

        return Task.CompletedTask;
    }

    private sealed class Pending(IReadOnlyCollection<Type> expected)
    {
        private readonly HashSet<Type> _awaiting = [.. expected];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True once the last expected consumer confirmed.</summary>
        public bool Confirm(Type consumer)
        {
            lock (_awaiting)
            {
                _awaiting.Remove(consumer);
                return _awaiting.Count == 0 && Done.TrySetResult();
            }
        }
    }
}
