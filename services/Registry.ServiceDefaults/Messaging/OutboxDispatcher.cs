using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Publishes what the outbox holds, oldest first, a batch at a time, and marks the batch sent in one
/// statement. Delivery is at least once: a crash between publishing and marking publishes again with
/// the same message id, which the consumers' inboxes recognise. Plain EF Core queries (no
/// provider-specific locking), so it runs on any relational provider; two replicas of a service would
/// both publish a message now and then, which the inboxes also absorb.
/// </summary>
public sealed class OutboxDispatcher<TDb>(
    IServiceScopeFactory scopes,
    OutboxSignal<TDb> signal,
    TimeProvider clock,
    ILogger<OutboxDispatcher<TDb>> logger) : BackgroundService
    where TDb : DbContext, IOutboxStore
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var published = await DispatchBatchAsync(stoppingToken);
                failures = 0;
                if (published == BatchSize)
                {
                    continue;
                }

                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, failures)));
                logger.LogWarning(ex, "Outbox of {Store} could not publish (attempt {Failures}); retrying in {Backoff}",
                    typeof(TDb).Name, failures, backoff);
                await Task.Delay(backoff, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var bus = scope.ServiceProvider.GetRequiredService<IBus>();
        // When a published row counts as sent depends on the transport (IOutboxSettlement).
        var settlement = scope.ServiceProvider.GetRequiredService<IOutboxSettlement<TDb>>();

        var batch = await settlement.Publishable(db.OutboxMessages
            .AsNoTracking()
            .Where(m => m.SentAt == null))
            .OrderBy(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            return 0;
        }

        // The whole batch at once: publisher confirms are pipelined on the channel, so a batch costs
        // about one broker round trip instead of one per message (one by one, the dispatcher could not
        // keep up with 40 registrations/s; see docs/performance.md). Order within a batch is not kept;
        // the consumers never relied on it (a queue with several consumers does not keep it either).
        var outcomes = await Task.WhenAll(batch.Select(async message =>
        {
            try
            {
                await PublishAsync(bus, message, ct);
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }));

        await settlement.PublishedAsync(db, batch.Where((_, i) => outcomes[i] is null).ToList());

        var failed = batch.Select((m, i) => (Message: m, Error: outcomes[i])).Where(f => f.Error is not null).ToList();
        if (failed.Count > 0)
        {
            var error = failed[0].Error!;
            var failedIds = failed.Select(f => f.Message.Id).ToList();
            var reason = Truncate(error.Message, 2000);
            await db.OutboxMessages.Where(m => failedIds.Contains(m.Id))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                    .SetProperty(m => m.LastError, reason), CancellationToken.None);
            if (error is OperationCanceledException && ct.IsCancellationRequested)
            {
                throw error;
            }

            throw new OutboxPublishException($"{failed.Count} of {batch.Count} outbox messages could not be published.", error);
        }

        return batch.Count;
    }

    private static async Task PublishAsync(IBus bus, OutboxMessage message, CancellationToken ct)
    {
        var type = MessageNames.Contracts.Resolve(message.MessageType);
        var payload = JsonSerializer.Deserialize(message.Payload, type)
            ?? throw new InvalidOperationException($"Outbox message {message.MessageId} has an empty payload.");

        ActivityContext.TryParse(message.TraceParent, message.TraceState, out var parent);
        using var activity = RegistryTelemetry.Source.StartActivity("outbox publish", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.message.type", message.MessageType);
        activity?.SetTag(RegistryTelemetry.OutboxStoreTag, typeof(TDb).Name);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        await bus.Publish(payload, type, context => context.MessageId = message.MessageId, timeout.Token);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>Part of an outbox batch could not be published; those messages stay unsent and are tried again.</summary>
public sealed class OutboxPublishException(string message, Exception inner) : Exception(message, inner);
