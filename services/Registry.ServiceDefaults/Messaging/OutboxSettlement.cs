using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// When an outbox row of <typeparamref name="TDb"/> counts as sent, chosen by the transport
/// (<see cref="RegistryBus.TransportKey"/>): <see cref="BrokerOutboxSettlement{TDb}"/> for RabbitMQ, whose
/// publisher confirm means the broker holds the message durably; <see cref="InMemoryOutboxSettlement{TDb}"/>
/// for the in-memory bus, where only the consumers' committed inboxes mean the message is safe.
/// <see cref="OutboxDispatcher{TDb}"/> asks it which unsent rows to publish and hands it the rows it published.
/// </summary>
public interface IOutboxSettlement<TDb>
    where TDb : DbContext, IOutboxStore
{
    /// <summary>Narrows the unsent rows to those the dispatcher may publish now.</summary>
    IQueryable<OutboxMessage> Publishable(IQueryable<OutboxMessage> unsent);

    /// <summary>
    /// Rows whose <c>Publish</c> returned: marked sent (<see cref="OutboxMessage.SentAt"/>) now, or once their
    /// deliveries were applied. Never cancelled: a row published but not marked would only be published again.
    /// </summary>
    Task PublishedAsync(TDb db, IReadOnlyList<OutboxMessage> published);

    /// <summary>
    /// Whether rows may be published several in one message (<c>CaseRegisteredBundle</c>, <see cref="OutboxDispatch.BundleLimit"/>):
    /// on a broker, whose confirm settles every row of the bundle at once; not on the in-memory bus, whose settlement
    /// waits for each row's own message id to be applied by each of its consumers.
    /// </summary>
    bool Bundles { get; }
}

/// <summary>A broker's publisher confirm is the end of the outbox's duty: the rows are marked sent at once.</summary>
public sealed class BrokerOutboxSettlement<TDb>(TimeProvider clock) : IOutboxSettlement<TDb>
    where TDb : DbContext, IOutboxStore
{
    public IQueryable<OutboxMessage> Publishable(IQueryable<OutboxMessage> unsent) => unsent;

    public bool Bundles => true;

    public Task PublishedAsync(TDb db, IReadOnlyList<OutboxMessage> published) =>
        OutboxSettlement.MarkSentAsync(db, published.Select(m => m.Id).ToList(), clock.GetUtcNow());
}

/// <summary>
/// The embedded mode's settlement: a row published on the in-memory bus stays unsent until every consumer
/// that should apply its message has committed it to its inbox (<see cref="InMemoryDeliveryLedger"/>); then
/// it is marked sent, in batches. Until then it is "in flight": held out of the dispatcher's query in this
/// process, so it is not published twice while its copies wait in the in-memory queues. After a crash (or a
/// stop that dropped queued deliveries) nothing is in flight any more, so every row not yet confirmed is
/// published again at start: at most <see cref="MaxInFlight"/> rows beyond those never published, and each
/// consumer's inbox makes a repeat harmless. A row still unconfirmed after <see cref="RepublishAfter"/> is published
/// again without waiting for a restart. A message no consumer takes (an event nobody subscribes to) is
/// settled at once. The cap also keeps the in-memory queues short: past it the dispatcher waits for
/// confirmations instead of piling more into memory.
/// </summary>
public sealed class InMemoryOutboxSettlement<TDb>(
    InMemoryDeliveryLedger ledger,
    OutboxSignal<TDb> signal,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<InMemoryOutboxSettlement<TDb>> logger) : BackgroundService, IOutboxSettlement<TDb>
    where TDb : DbContext, IOutboxStore
{
    /// <summary>Rows published and not yet applied by all their consumers, at most (and so the most re-published after a crash).</summary>
    public const int MaxInFlight = 2_000;

    /// <summary>
    /// A row in flight whose message no consumer has confirmed after this long is published again (in this process,
    /// not only at the next start): a delivery the in-memory transport dropped (one that reached a receive endpoint
    /// still starting or already stopping, or one that ended in the in-memory error queue) would otherwise wait for a
    /// restart. The consumers' inboxes make the repeat harmless; a slow consumer only gets one more copy to skip.
    /// </summary>
    public static readonly TimeSpan RepublishAfter = TimeSpan.FromSeconds(30);

    private const int MarkBatch = 500;
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();
    private readonly Channel<long> _confirmed = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    public bool Bundles => false;

    public IQueryable<OutboxMessage> Publishable(IQueryable<OutboxMessage> unsent)
    {
        if (_inFlight.IsEmpty)
        {
            return unsent;
        }

        if (_inFlight.Count >= MaxInFlight)
        {
            return unsent.Where(_ => false);
        }

        // One parameter (a JSON array on SQLite, an array on PostgreSQL) however many rows are in flight.
        var inFlight = _inFlight.Keys.ToArray();
        return unsent.Where(m => !EF.Parameter(inFlight).Contains(m.Id));
    }

    public async Task PublishedAsync(TDb db, IReadOnlyList<OutboxMessage> published)
    {
        var settled = new List<long>();
        foreach (var message in published)
        {
            var consumed = ledger.WhenConsumed(message.MessageId);
            if (consumed.IsCompleted)
            {
                settled.Add(message.Id);
                continue;
            }

            _inFlight[message.Id] = 0;
            var id = message.Id;
            _ = consumed.ContinueWith(_ => _confirmed.Writer.TryWrite(id), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _ = RepublishIfUnconfirmedAsync(id, message.MessageId, consumed);
        }

        await OutboxSettlement.MarkSentAsync(db, settled, clock.GetUtcNow());
    }

    private async Task RepublishIfUnconfirmedAsync(long id, Guid messageId, Task consumed)
    {
        try
        {
            await Task.WhenAny(consumed, Task.Delay(RepublishAfter, clock));
        }
        catch (Exception)
        {
            // A delay cannot fail; nothing to do either way.
        }

        if (!consumed.IsCompleted && _inFlight.TryRemove(id, out _))
        {
            logger.LogInformation("Outbox of {Store}: message {MessageId} (row {Row}) not applied by every consumer within {After}; publishing it again",
                typeof(TDb).Name, messageId, id, RepublishAfter);
            signal.Wake();
        }
    }

    /// <summary>Marks confirmed rows sent, a batch per statement, and lets the dispatcher go on once the cap frees up.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<long>(MarkBatch);
        try
        {
            while (await _confirmed.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MarkBatch && _confirmed.Reader.TryRead(out var id))
                {
                    batch.Add(id);
                }

                await MarkAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // What is confirmed but not yet marked is published again at the next start; the inboxes absorb it.
            while (batch.Count < MarkBatch && _confirmed.Reader.TryRead(out var id))
            {
                batch.Add(id);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await OutboxSettlement.MarkSentAsync(scope.ServiceProvider.GetRequiredService<TDb>(), batch, clock.GetUtcNow());
            }
            catch (Exception ex)
            {
                logger.LogInformation(ex, "Outbox of {Store}: {Count} confirmed rows left unmarked at stop; they are published again at start",
                    typeof(TDb).Name, batch.Count);
            }
        }
    }

    private async Task MarkAsync(List<long> batch, CancellationToken ct)
    {
        for (var attempt = 1; batch.Count > 0; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await OutboxSettlement.MarkSentAsync(scope.ServiceProvider.GetRequiredService<TDb>(), batch, clock.GetUtcNow());
                var wasFull = _inFlight.Count >= MaxInFlight;
                foreach (var id in batch)
                {
                    _inFlight.TryRemove(id, out _);
                }

                batch.Clear();
                if (wasFull)
                {
                    signal.Wake();
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Outbox of {Store} could not mark {Count} consumed rows sent (attempt {Attempt}); retrying",
                    typeof(TDb).Name, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(15_000, 250 * Math.Pow(2, Math.Min(attempt, 6)))), clock, ct);
            }
        }
    }
}

internal static class OutboxSettlement
{
    public static async Task MarkSentAsync<TDb>(TDb db, List<long> ids, DateTimeOffset now)
        where TDb : DbContext, IOutboxStore
    {
        if (ids.Count == 0)
        {
            return;
        }

        // One statement for the batch; CancellationToken.None because a message published but not marked
        // would only be published again.
        await db.OutboxMessages.Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, now), CancellationToken.None);
    }
}
