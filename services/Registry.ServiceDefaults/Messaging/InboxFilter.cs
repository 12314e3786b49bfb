using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// The inbox as a scoped consume filter: resolved in the consume scope, so <typeparamref name="TDb"/> is
/// the consumer's own DbContext. In one transaction it skips a message <typeparamref name="TConsumer"/>
/// applied before, or runs the consumer, records the message id and saves and commits what the consumer
/// changed. A consumer only changes state (it may save early, inside the transaction, when it needs
/// database-generated values); it never commits, and it cannot forget the inbox. A failure that would
/// recur on every attempt (<see cref="MessageRefusedException.Permanent"/>) leaves as a
/// <see cref="MessageRefusedException"/>, which the retry policy does not retry. The work is
/// <see cref="InboxSession{TDb}.ApplyOneAsync"/>'s, shared with the batch consumers.
/// </summary>
public sealed class InboxFilter<TConsumer, TDb, TMessage>(InboxSession<TDb> inbox) : IFilter<ConsumeContext<TMessage>>
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
        ConsumerMetrics.Taken(context, typeof(TMessage).Name);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id; the inbox cannot recognise it.");
        if (!await inbox.ApplyOneAsync(typeof(TConsumer), typeof(TMessage), messageId, _ => next.Send(context), context.CancellationToken))
        {
            // Applied before: acknowledged as consumed. Without this, MassTransit would count the delivery
            // as reaching no consumer and move it to <queue>_skipped.
            await context.NotifyConsumed(context, TimeSpan.Zero, Consumer);
        }
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
