using Registry.ServiceDefaults.Validation;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Contracts;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Publishes what the outbox holds, oldest first, a batch at a time. Each round:
/// <list type="number">
/// <item><b>Read</b> the pending rows that are due (not sent, not parked, past their <see cref="OutboxMessage.NextAttemptAt"/>),
/// leaving out the cases that have an earlier row waiting to be tried again, in one statement.</item>
/// <item><b>Publish</b>: the rows of one case (<see cref="OutboxMessage.OrderingKey"/>) one after the other in the order
/// they were written, different cases in parallel; the first row of a case that fails holds back the rest of that case.
/// The round's <c>CaseRegistered</c> rows go as bundles (<see cref="CaseRegisteredBundle"/>, <see cref="OutboxDispatch.BundleLimit"/>)
/// when the transport settles at the broker's confirm.</item>
/// <item><b>Record</b> the outcome: the published rows handed to the transport's <see cref="IOutboxSettlement{TDb}"/>
/// (marked sent in one statement at the broker's confirm; on the in-memory bus once their consumers applied them); a row that can never be published
/// (its type names no contract, its payload does not read as one) parked at once; a row the broker refused charged one
/// attempt, tried again on its own backoff and parked after <see cref="OutboxDispatch.MaxAttempts"/> (logged, counted in
/// <see cref="OutboxMetrics"/>, listed by <c>registryctl outbox parked</c>).</item>
/// </list>
/// A round in which nothing could be published while the bus reports itself unhealthy is a broker outage: no row is
/// charged, and the whole dispatcher backs off (up to 15 s) instead. One poisoned row therefore never holds back the
/// others (except later events of its own case, until it is sent or parked), and an outage, however long, parks nothing.
/// Delivery is at least once: a crash between publishing and marking publishes again with the same message id, which the
/// consumers' inboxes recognise. Plain EF Core queries; with several replicas of a service only the one that holds the
/// store's <see cref="OutboxLeadership{TDb}"/> publishes, so no row is published by two at once and a case's order holds.
/// </summary>
public sealed class OutboxDispatcher<TDb>(
    IServiceScopeFactory scopes,
    OutboxSignal<TDb> signal,
    OutboxLeadership<TDb> leadership,
    OutboxDispatch settings,
    TimeProvider clock,
    ILogger<OutboxDispatcher<TDb>> logger) : BackgroundService
    where TDb : DbContext, IOutboxStore
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ParkedCountInterval = TimeSpan.FromMinutes(1);
    private static readonly string Store = typeof(TDb).Name;

    /// <summary>
    /// MassTransit's header for the parent of a message's spans (<c>DiagnosticHeaders.ActivityId</c>). MassTransit sets it
    /// from its send span when it records one; when the publish is not sampled it starts no send span and sets nothing, so
    /// the dispatcher sets it first, and the consumers follow the caller's decision instead of starting a sampled root trace.
    /// </summary>
    public const string ActivityIdHeader = "MT-Activity-Id";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var outages = 0;
        var countParkedAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One replica publishes (OutboxLeadership); the others stand by and try to take the lead every poll.
                if (!await leadership.HoldAsync(stoppingToken))
                {
                    await Task.Delay(PollInterval, clock, stoppingToken);
                    continue;
                }

                if (clock.GetUtcNow() >= countParkedAt)
                {
                    await CountParkedAsync(stoppingToken);
                    countParkedAt = clock.GetUtcNow() + ParkedCountInterval;
                }

                var round = await DispatchBatchAsync(stoppingToken);
                outages = 0;
                if (round.Parked > 0)
                {
                    countParkedAt = DateTimeOffset.MinValue;
                }

                if (round.Read == BatchSize)
                {
                    continue;
                }

                // Woken by a commit: the commits of the next few milliseconds join this round (Messaging:Outbox:Linger), so that
                // their events share bundles, deliveries and the consumers' transactions (docs/performance.md, "The outbox
                // waits a moment for more"). A full round above went on at once; a poll's round reads what is there.
                if (await signal.WaitAsync(PollInterval, stoppingToken))
                {
                    await signal.LingerAsync(settings.Linger, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                outages++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, outages)));
                logger.LogWarning(ex, "Outbox of {Store} could not publish (round {Failures}); no row is charged; retrying in {Backoff}",
                    Store, outages, backoff);
                await Task.Delay(backoff, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>What one round did: rows read, and of those parked.</summary>
    private readonly record struct Round(int Read, int Parked);

    private enum Result
    {
        /// <summary>Published and confirmed.</summary>
        Sent,
        /// <summary>Can never be published: parked at once.</summary>
        Unpublishable,
        /// <summary>The publish failed: charged to the row, unless the round was an outage.</summary>
        Failed,
        /// <summary>Not tried: an earlier row of its case failed, or the service is stopping.</summary>
        NotTried,
    }

    private readonly record struct Outcome(OutboxMessage Message, Result Result, Exception? Error = null);

    private async Task<Round> DispatchBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var bus = scope.ServiceProvider.GetRequiredService<IBus>();
        // When a published row counts as sent depends on the transport (IOutboxSettlement): at the broker's confirm,
        // or on the in-memory bus once every consumer applied it.
        var settlement = scope.ServiceProvider.GetRequiredService<IOutboxSettlement<TDb>>();
        var now = clock.GetUtcNow();

        // One statement: the due rows, less those of a case that has a pending row waiting for its next attempt (a
        // failure charged it): a case's later rows wait with it, to keep its order. The waiting rows are few, found
        // through ix_outbox_messages_retrying (NOT EXISTS under the OR, which PostgreSQL runs as one hashed subplan, read
        // once a statement). Until the thirty-fifth increment of docs/performance.md the held cases were a statement of
        // their own, read before the batch at every round.
        var batch = await settlement.Publishable(db.OutboxMessages
                .AsNoTracking()
                .Where(m => m.SentAt == null && m.ParkedAt == null && (m.NextAttemptAt == null || m.NextAttemptAt <= now))
                .Where(m => m.OrderingKey == null || !db.OutboxMessages.Any(held => held.OrderingKey == m.OrderingKey
                    && held.SentAt == null && held.ParkedAt == null && held.NextAttemptAt > now)))
            .OrderBy(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            return new Round(0, 0);
        }

        var outcomes = await PublishAsync(bus, batch, settlement.Bundles ? settings.BundleLimit : 1, ct);

        await settlement.PublishedAsync(db, outcomes.Where(o => o.Result == Result.Sent).Select(o => o.Message).ToList());

        var parked = 0;
        foreach (var unpublishable in outcomes.Where(o => o.Result == Result.Unpublishable))
        {
            await ChargeAsync(db, unpublishable, park: true);
            parked++;
        }

        var failed = outcomes.Where(o => o.Result == Result.Failed).ToList();
        if (failed.Count > 0)
        {
            if (outcomes.All(o => o.Result != Result.Sent) && !BusIsHealthy(scope.ServiceProvider))
            {
                // Nothing went through and the bus says it is not connected: the broker, not these rows.
                throw new OutboxPublishException(
                    $"None of {batch.Count} outbox messages could be published and the bus is not healthy (a broker outage).", failed[0].Error!);
            }

            foreach (var failure in failed)
            {
                var park = failure.Message.Attempts + 1 >= settings.MaxAttempts;
                await ChargeAsync(db, failure, park);
                parked += park ? 1 : 0;
            }
        }

        if (outcomes.Any(o => o.Result == Result.NotTried) && ct.IsCancellationRequested)
        {
            ct.ThrowIfCancellationRequested();
        }

        return new Round(batch.Count, parked);
    }

    /// <summary>
    /// The whole batch at once, each case in order: publisher confirms are pipelined on the channel, so a batch of
    /// different cases costs about one broker round trip instead of one per message (one by one, the dispatcher could
    /// not keep up with 40 registrations/s; see docs/performance.md). Events of one case wait for each other's confirm,
    /// so they reach the queues in the order they were written. The <c>CaseRegistered</c> rows that open their case's
    /// rows in this batch go out together, up to <paramref name="bundleLimit"/> in one <see cref="CaseRegisteredBundle"/>
    /// (a broker message and its deliveries per bundle, not per case); the later rows of those cases wait for the
    /// bundle's confirm as they would for their own event's.
    /// </summary>
    private static async Task<List<Outcome>> PublishAsync(IBus bus, List<OutboxMessage> batch, int bundleLimit, CancellationToken ct)
    {
        var cases = batch.GroupBy(m => m.OrderingKey)
            .SelectMany(g => g.Key is null ? g.Select(m => new[] { m }) : [g.OrderBy(m => m.Id).ToArray()])
            .ToList();
        var bundled = new Dictionary<long, Task<Outcome>>();
        var openers = bundleLimit > 1
            ? cases.Where(rows => rows[0].OrderingKey is not null && rows[0].MessageType == BundledType).Select(rows => rows[0]).ToList()
            : [];
        if (openers.Count > 1)
        {
            foreach (var bundle in openers.Chunk(bundleLimit))
            {
                var published = PublishBundleAsync(bus, bundle, ct);
                for (var i = 0; i < bundle.Length; i++)
                {
                    bundled[bundle[i].Id] = OutcomeOf(published, i);
                }
            }
        }

        var outcomes = await Task.WhenAll(cases.Select(rows => PublishInOrderAsync(bus, rows, bundled, ct)));
        return outcomes.SelectMany(o => o).ToList();
    }

    private static readonly string BundledType = MessageNames.NameOf(typeof(CaseRegistered));

    private static async Task<Outcome> OutcomeOf(Task<Outcome[]> bundle, int index) => (await bundle)[index];

    private static async Task<List<Outcome>> PublishInOrderAsync(
        IBus bus, OutboxMessage[] rows, Dictionary<long, Task<Outcome>> bundled, CancellationToken ct)
    {
        var outcomes = new List<Outcome>(rows.Length);
        var holding = false;
        foreach (var message in rows)
        {
            var outcome = holding ? new Outcome(message, Result.NotTried)
                : bundled.TryGetValue(message.Id, out var inBundle) ? await inBundle
                : await TryPublishAsync(bus, message, ct);
            outcomes.Add(outcome);
            // A parked row does not hold its case back: it will not be sent before the later ones in any case.
            holding |= outcome.Result is Result.Failed or Result.NotTried;
        }

        return outcomes;
    }

    /// <summary>
    /// Publishes <paramref name="rows"/> (<c>CaseRegistered</c> rows of different cases) as one
    /// <see cref="CaseRegisteredBundle"/>, each event under its row's message id; a row whose payload does not read is
    /// unpublishable on its own, and a bundle left with one event goes as that event. One outcome per row, in order:
    /// the bundle's confirm is every row's.
    /// </summary>
    private static async Task<Outcome[]> PublishBundleAsync(IBus bus, OutboxMessage[] rows, CancellationToken ct)
    {
        var outcomes = new Outcome[rows.Length];
        var events = new List<(int Index, CaseRegistered Event)>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            try
            {
                events.Add((i, JsonSerializer.Deserialize<CaseRegistered>(rows[i].Payload)
                    ?? throw new InvalidOperationException($"Outbox message {rows[i].MessageId} has an empty payload.")));
            }
            catch (Exception ex)
            {
                outcomes[i] = new Outcome(rows[i], Result.Unpublishable, ex);
            }
        }

        if (events.Count == 1)
        {
            outcomes[events[0].Index] = await TryPublishAsync(bus, rows[events[0].Index], ct);
        }
        else if (events.Count > 1)
        {
            var bundle = new CaseRegisteredBundle
            {
                MessageIds = events.Select(e => rows[e.Index].MessageId).ToArray(),
                Events = events.Select(e => e.Event).ToArray(),
            };
            var result = Result.Sent;
            Exception? error = null;
            try
            {
                await PublishBundleAsync(bus, bundle, events.Select(e => rows[e.Index]).ToList(), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                result = Result.NotTried;
            }
            catch (Exception ex)
            {
                (result, error) = (Result.Failed, ex);
            }

            foreach (var (index, _) in events)
            {
                outcomes[index] = new Outcome(rows[index], result, error);
            }
        }

        return outcomes;
    }

    private static async Task<Outcome> TryPublishAsync(IBus bus, OutboxMessage message, CancellationToken ct)
    {
        Type type;
        object payload;
        try
        {
            type = MessageNames.Contracts.Resolve(message.MessageType);
            payload = JsonSerializer.Deserialize(message.Payload, type)
                ?? throw new InvalidOperationException($"Outbox message {message.MessageId} has an empty payload.");
        }
        catch (Exception ex)
        {
            return new Outcome(message, Result.Unpublishable, ex);
        }

        try
        {
            await PublishAsync(bus, message, type, payload, ct);
            return new Outcome(message, Result.Sent);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new Outcome(message, Result.NotTried);
        }
        catch (Exception ex)
        {
            return new Outcome(message, Result.Failed, ex);
        }
    }

    private static async Task PublishAsync(IBus bus, OutboxMessage message, Type type, object payload, CancellationToken ct)
    {
        // The stored context is the caller's, from another process or another moment: a remote parent. With the
        // ParentBased sampler a sampled caller gives a recorded publish in its trace, an unsampled one a publish that is
        // not recorded but still carries the caller's trace id and decision on to the consumers.
        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        using var activity = RegistryTelemetry.Source.StartActivity("outbox publish", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.message.type", message.MessageType);
        activity?.SetTag(RegistryTelemetry.OutboxStoreTag, Store);
        await PublishAsync(bus, payload, type, message.MessageId, activity?.Id ?? message.TraceParent, ct);
    }

    /// <summary>
    /// A bundle's publish is one span in the trace of its first sampled row's caller, linked to the other rows' callers (OpenTelemetry's
    /// span links, as its messaging conventions do for a batch), so each registration's trace still shows its event leaving.
    /// </summary>
    private static async Task PublishBundleAsync(IBus bus, CaseRegisteredBundle bundle, IReadOnlyList<OutboxMessage> rows, CancellationToken ct)
    {
        var contexts = rows.Select(r => ActivityContext.TryParse(r.TraceParent, r.TraceState, isRemote: true, out var c) ? c : default).ToList();
        // The parent: the first caller who asked for a trace (sampled), so that a sampled registration's trace goes on across the
        // bus even when its event shares a bundle with unsampled ones; the other callers are links.
        var messageId = NewId.NextGuid();
        using var activity = RegistryTelemetry.StartBatchActivity("outbox publish", contexts, out var first);
        activity?.SetTag("messaging.message.id", messageId);
        activity?.SetTag("messaging.message.type", MessageNames.NameOf(typeof(CaseRegisteredBundle)));
        activity?.SetTag("messaging.batch.message_count", rows.Count);
        // The events' own message ids, by which a registration's trace finds its event in the bundle.
        activity?.SetTag(RegistryTelemetry.BundledMessageIdsTag, string.Join(",", rows.Select(r => r.MessageId.ToString("D"))));
        activity?.SetTag(RegistryTelemetry.OutboxStoreTag, Store);
        await PublishAsync(bus, bundle, typeof(CaseRegisteredBundle), messageId, activity?.Id ?? rows[first].TraceParent, ct);
    }

    private static async Task PublishAsync(IBus bus, object payload, Type type, Guid messageId, string? traceParent, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        await bus.Publish(payload, type, context =>
        {
            context.MessageId = messageId;
            if (traceParent is not null)
            {
                // Overwritten by MassTransit's own send span when it records one (set before it starts it).
                context.Headers.Set(ActivityIdHeader, traceParent);
            }
        }, timeout.Token);
    }

    /// <summary>Charges a failed attempt to one row: its error, its next attempt, or parks it.</summary>
    private async Task ChargeAsync(TDb db, Outcome failure, bool park)
    {
        var message = failure.Message;
        var attempts = message.Attempts + 1;
        var now = clock.GetUtcNow();
        var reason = Truncate($"{failure.Error!.GetType().Name}: {failure.Error.Message}", 2000);
        DateTimeOffset? parkedAt = park ? now : null;
        DateTimeOffset? nextAttempt = park ? null : now + settings.RetryDelay(attempts);
        await db.OutboxMessages.Where(m => m.Id == message.Id && m.SentAt == null)
            .ExecuteUpdateAsync(u => u
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.LastError, reason)
                .SetProperty(m => m.NextAttemptAt, nextAttempt)
                .SetProperty(m => m.ParkedAt, parkedAt), CancellationToken.None);

        if (park)
        {
            OutboxMetrics.RowParked(Store, message.MessageType);
            logger.LogError(failure.Error,
                "Outbox of {Store}: row {OutboxId} ({MessageType}, message {MessageId}) parked after {Attempts} attempt(s): {Reason}. " +
                "It stays in outbox_messages: `registryctl outbox parked` lists it, `registryctl outbox retry <id>` re-queues it once the cause is fixed",
                Store, message.Id, message.MessageType, message.MessageId, attempts, reason);
        }
        else
        {
            logger.LogWarning(failure.Error,
                "Outbox of {Store}: row {OutboxId} ({MessageType}, message {MessageId}) could not be published (attempt {Attempts} of {MaxAttempts}); next attempt at {NextAttempt:O}",
                Store, message.Id, message.MessageType, message.MessageId, attempts, settings.MaxAttempts, nextAttempt);
        }
    }

    private async Task CountParkedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        OutboxMetrics.ParkedCount(Store, await db.OutboxMessages.LongCountAsync(m => m.ParkedAt != null, ct));
    }

    /// <summary>Whether the bus reports every receive endpoint connected (always so on the in-memory transport).</summary>
    private static bool BusIsHealthy(IServiceProvider services) =>
        services.GetService<IBusControl>()?.CheckHealth().Status == BusHealthStatus.Healthy;

    private static string Truncate(string value, int length) => TextRules.Cut(value, length);
}

/// <summary>No outbox message could be published while the bus was not healthy; none is charged, the dispatcher backs off.</summary>
public sealed class OutboxPublishException(string message, Exception inner) : Exception(message, inner);
