using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// The inbox as a scoped consume filter: resolved in the consume scope, so <typeparamref name="TDb"/> is
/// the consumer's own DbContext. In one transaction it skips a message <typeparamref name="TConsumer"/>
/// applied before, or runs the consumer, records the message id and saves and commits what the consumer
/// changed. A consumer only changes state (it may save early, inside the transaction, when it needs
/// database-generated values); it never commits, and it cannot forget the inbox. A failure that would
/// recur on every attempt (<see cref="MessageRefusedException.Permanent"/>) leaves as a
/// <see cref="MessageRefusedException"/>, which the retry policy does not retry.
/// </summary>
public sealed class InboxFilter<TConsumer, TDb, TMessage>(
    TDb db, InboxCommit commit, TimeProvider clock, InMemoryDeliveryLedger deliveries, ILogger<InboxFilter<TConsumer, TDb, TMessage>> logger)
    : IFilter<ConsumeContext<TMessage>>
    where TConsumer : class
    where TDb : DbContext, IInboxStore
    where TMessage : class
{
    /// <summary>
    /// The consumer's name in the inbox: its type name, as the consumers wrote it before the filter
    /// (nameof), so messages applied then are still recognised.
    /// </summary>
    public static readonly string Consumer = typeof(TConsumer).Name;

    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id; the inbox cannot recognise it.");
        bool applied;
        try
        {
            applied = await db.ApplyOnceAsync(messageId, Consumer, clock, _ =>
            {
                // An attempt the inbox rolled back and applies again (Inbox.Reapplying) leaves no action behind.
                commit.Discard();
                return next.Send(context);
            }, context.CancellationToken);
        }
        catch (Exception ex) when (ex is not MessageRefusedException && MessageRefusedException.Permanent(ex) is { } reason)
        {
            logger.LogError(ex, "{Consumer} refused message {MessageId} ({MessageType}); it goes to the error queue without retries: {Reason}",
                Consumer, messageId, typeof(TMessage).Name, reason);
            throw new MessageRefusedException(reason);
        }

        if (!applied)
        {
            // Applied before: acknowledged as consumed. Without this, MassTransit would count the delivery
            // as reaching no consumer and move it to <queue>_skipped.
            await context.NotifyConsumed(context, TimeSpan.Zero, Consumer);
            deliveries.Confirm(messageId, typeof(TConsumer));
            return;
        }

        commit.Committed();
        // On the in-memory bus, the publisher's outbox row counts as sent once every consumer has said this.
        deliveries.Confirm(messageId, typeof(TConsumer));
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("inbox");
        scope.Add("consumer", Consumer);
        scope.Add("store", typeof(TDb).Name);
    }
}

/// <summary>
/// What a consumer wants done once its change is committed (e.g. waking readers of what it wrote);
/// scoped, so the consumer and the inbox filter of one message share it.
/// </summary>
public sealed class InboxCommit
{
    private readonly List<Action> _actions = [];

    public void OnCommitted(Action action) => _actions.Add(action);

    /// <summary>Forgets the actions of an attempt that was rolled back.</summary>
    internal void Discard() => _actions.Clear();

    internal void Committed()
    {
        foreach (var action in _actions)
        {
            action();
        }
    }
}
