using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// What the inbox does for one consume scope: apply a message once (<see cref="ApplyOneAsync"/>, for every consumer
/// through <see cref="InboxFilter{TConsumer, TDb, TMessage}"/>), or a batch of messages once each in one transaction
/// (<see cref="ApplyBatchAsync{TMessage}"/>, for an <see cref="InboxBatchConsumer{TMessage, TDb}"/>). Scoped: its
/// <typeparamref name="TDb"/> is the consumer's own context, and its <see cref="InboxCommit"/> the consumer's.
/// </summary>
public sealed class InboxSession<TDb>(
    TDb db, InboxCommit commit, TimeProvider clock, InMemoryDeliveryLedger deliveries, ILogger<InboxSession<TDb>> logger,
    Data.GenericPlans? plans = null)
    where TDb : DbContext, IInboxStore
{
    /// <summary>
    /// Applies one message in its own transaction (<see cref="Inbox.ApplyOnceAsync{TDb}"/>) under the inbox name of
    /// <paramref name="consumer"/> (its type name). Returns false when it was applied before (nothing changes).
    /// </summary>
    /// <exception cref="MessageRefusedException">What the message says can never be applied
    /// (<see cref="MessageRefusedException.Permanent"/>); the retry policy sends it to the error queue at once.</exception>
    public async Task<bool> ApplyOneAsync(Type consumer, Type messageType, Guid messageId, Func<CancellationToken, Task> apply, CancellationToken ct)
    {
        bool applied;
        try
        {
            applied = await db.ApplyOnceAsync(messageId, consumer.Name, clock, token =>
            {
                // An attempt the inbox rolled back and applies again (Inbox.Reapplying) leaves no action behind.
                commit.Discard();
                return apply(token);
            }, ct);
        }
        catch (Exception ex) when (ex is not MessageRefusedException && MessageRefusedException.Permanent(ex) is { } reason)
        {
            logger.LogError(ex, "{Consumer} refused message {MessageId} ({MessageType}); it goes to the error queue without retries: {Reason}",
                consumer.Name, messageId, messageType.Name, reason);
            throw new MessageRefusedException(reason);
        }

        if (applied)
        {
            commit.Committed();
        }

        // On the in-memory bus, the publisher's outbox row counts as sent once every consumer has said this.
        deliveries.Confirm(messageId, consumer);
        return applied;
    }

    /// <summary>
    /// Applies a batch MassTransit collected (<see cref="Batch{T}"/>), each message once, with <paramref name="apply"/>
    /// changing the context for one message (it never saves or commits).
    /// <list type="number">
    /// <item>All in one transaction (<see cref="Inbox.ApplyAllAsync{TDb}"/>): one inbox row per message, one write
    /// (multi-row INSERTs, <see cref="Data.InsertBatch.OfTracked"/>), one commit.
    /// This is the path of a busy queue, and why batching is worth it: a transaction per batch instead of per message.</item>
    /// <item>If that fails for any reason (a message applied before, a case announced again under another id, a message
    /// that breaks a rule, the database gone), every message is applied on its own (<see cref="ApplyOneAsync"/>) in order,
    /// the repeats skipped. What passes is marked consumed (<see cref="ConsumeContext.NotifyConsumed{T}"/>: MassTransit then
    /// acknowledges it whatever the others do); only what failed fails: a message that can never be applied with
    /// <see cref="MessageRefusedException"/> (to the error queue at once), any other failure to the retry policy, whose
    /// retries MassTransit delivers at once in a batch of their own.</item>
    /// </list>
    /// A batch of one message takes the second path directly (no second attempt).
    /// </summary>
    public async Task ApplyBatchAsync<TMessage>(Type consumer, ConsumeContext<Batch<TMessage>> batch,
        Func<ConsumeContext<TMessage>, CancellationToken, Task> apply)
        where TMessage : class
    {
        var ct = batch.CancellationToken;
        var messages = batch.Message;
        if (messages.Length == 1)
        {
            await ApplyOneAsync(consumer, typeof(TMessage), IdOf(messages[0]), token => apply(messages[0], token), ct);
            return;
        }

        Exception? batchError = null;
        var ids = new Guid[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            ids[i] = IdOf(messages[i]);
        }

        try
        {
            await ApplyAllAsync(consumer, ids, messages.Length, (i, token) => apply(messages[i], token), ct);
            return;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogDebug(ex, "{Consumer}: a batch of {Count} {MessageType} was not applied as a whole; applying each on its own",
                consumer.Name, messages.Length, typeof(TMessage).Name);
            batchError = ex;
        }

        // A repeat or a message that breaks a rule is why a batch fails, and the messages applied one by one say which. When
        // every one of them then applies afresh, nothing among them explains the failure but a case announced again under
        // a new message id (an outbox replay, which applies anew on its own): otherwise the batch's own write failed, and
        // would fail each time, a transaction per message instead of per batch. Said where an operator sees it.
        if (await ApplyEachAsync(consumer, messages, ids, apply, ct) == messages.Length)
        {
            logger.LogWarning(batchError,
                "{Consumer}: a batch of {Count} {MessageType} failed as a whole although each of its messages then applied on its own",
                consumer.Name, messages.Length, typeof(TMessage).Name);
        }
    }

    /// <summary>
    /// Applies the events of a bundle (<see cref="Registry.Contracts.CaseRegisteredBundle"/>) for <paramref name="consumer"/>,
    /// the consumer of the single events, each once under its own message id, as if each had come on its own:
    /// <list type="number">
    /// <item>All in one transaction (<see cref="Inbox.ApplyAllAsync{TDb}"/>): an inbox row per event under
    /// <paramref name="consumer"/>'s name, one write, one commit.</item>
    /// <item>If that fails for any reason (an event applied before, a redelivered bundle, an event that breaks a rule, the
    /// database gone), each event is sent on (all at once, within <see cref="SendOnTimeout"/>) to <paramref name="singleQueue"/>, the queue of <paramref name="consumer"/>,
    /// as a message of its own under its own id, and the bundle is done: there each is applied once, retried or refused on
    /// its own, as the event alone would have been (a repeat is recognised by the inbox). If sending fails too, the bundle
    /// fails to the retry policy; the events sent before are recognised when they come again.</item>
    /// </list>
    /// </summary>
    public async Task ApplyBundleAsync<TMessage>(Type consumer, ConsumeContext bundle, Uri singleQueue,
        IReadOnlyList<Guid> ids, IReadOnlyList<TMessage> messages, Func<TMessage, CancellationToken, Task> apply)
        where TMessage : class
    {
        var ct = bundle.CancellationToken;
        try
        {
            await ApplyAllAsync(consumer, ids, messages.Count, (i, token) => apply(messages[i], token), ct);
            return;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogInformation(ex,
                "{Consumer}: a bundle of {Count} {MessageType} was not applied as a whole; each is sent on to {Queue} to be applied on its own",
                consumer.Name, messages.Count, typeof(TMessage).Name, singleQueue);
        }

        // All at once, the broker's confirms pipelined, within a bound: a broker that blocks publishers (a memory alarm) fails
        // the bundle to the retry policy instead of holding one of the queue's few bundle slots for ever.
        var endpoint = await bundle.GetSendEndpoint(singleQueue);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SendOnTimeout);
        await Task.WhenAll(messages.Select((message, i) => endpoint.Send(message, context => context.MessageId = ids[i], timeout.Token)));
    }

    /// <summary>How long a failed bundle's events may take to be sent on to the single events' queue, all together.</summary>
    public static readonly TimeSpan SendOnTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The messages <paramref name="ids"/> in one transaction (<see cref="Inbox.ApplyAllAsync{TDb}"/>), <paramref name="apply"/>
    /// called with each one's index in order; once committed, the consumer's actions run and the in-memory ledger hears of each.
    /// </summary>
    private async Task ApplyAllAsync(Type consumer, IReadOnlyCollection<Guid> ids, int count,
        Func<int, CancellationToken, Task> apply, CancellationToken ct)
    {
        await db.ApplyAllAsync(ids, consumer.Name, clock, plans, async token =>
        {
            commit.Discard();
            for (var i = 0; i < count; i++)
            {
                await apply(i, token);
            }
        }, ct);
        commit.Committed();
        foreach (var id in ids)
        {
            deliveries.Confirm(id, consumer);
        }
    }

    /// <returns>How many of the messages were applied now (not repeats); throws when any failed.</returns>
    private async Task<int> ApplyEachAsync<TMessage>(Type consumer, Batch<TMessage> messages, Guid[] ids,
        Func<ConsumeContext<TMessage>, CancellationToken, Task> apply, CancellationToken ct)
        where TMessage : class
    {
        var applied = 0;
        var passed = new List<(ConsumeContext<TMessage> Message, TimeSpan Took)>(messages.Length);
        var failed = new List<(Guid MessageId, Exception Error)>();
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await ApplyOneAsync(consumer, typeof(TMessage), ids[i], token => apply(message, token), ct))
                {
                    applied++;
                }

                passed.Add((message, Stopwatch.GetElapsedTime(started)));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                db.ChangeTracker.Clear();
                failed.Add((ids[i], ex));
            }
        }

        if (failed.Count == 0)
        {
            return applied;
        }

        // Marked consumed, these are acknowledged; MassTransit faults the others with what is thrown below.
        foreach (var (message, took) in passed)
        {
            await message.NotifyConsumed(message, took, consumer.Name);
        }

        if (failed.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed[0].Error);
        }

        if (failed.TrueForAll(f => f.Error is MessageRefusedException))
        {
            throw new MessageRefusedException(string.Join("; ",
                failed.Select(f => $"message {f.MessageId}: {((MessageRefusedException)f.Error).Reason}")));
        }

        // At least one may pass when tried again: all are retried (a refused one is refused again, on its own).
        throw new InvalidOperationException(
            $"{failed.Count} messages of a batch of {messages.Length} failed; each is tried again: " +
            string.Join("; ", failed.Select(f => $"{f.MessageId}: {f.Error.Message}")), failed[0].Error);
    }

    private static Guid IdOf(ConsumeContext context) =>
        context.MessageId ?? throw new InvalidOperationException("A message arrived without a message id; the inbox cannot recognise it.");
}
