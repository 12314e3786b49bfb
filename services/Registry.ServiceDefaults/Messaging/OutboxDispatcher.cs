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
/// Publishes what the outbox holds, in order, and marks each message sent. Delivery is at least
/// once: a crash between publishing and marking publishes again with the same message id, which
/// the consumers' inboxes recognise.
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

        var batch = await db.OutboxMessages
            .Where(m => m.SentAt == null)
            .OrderBy(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(ct);

        var published = 0;
        try
        {
            foreach (var message in batch)
            {
                await PublishAsync(bus, message, ct);
                message.SentAt = clock.GetUtcNow();
                published++;
            }
        }
        catch (Exception ex) when (published < batch.Count)
        {
            batch[published].Attempts++;
            batch[published].LastError = Truncate(ex.Message, 2000);
            throw;
        }
        finally
        {
            // Mark what went out even when a later message failed; CancellationToken.None because a
            // message published but not marked would only be published again.
            await db.SaveChangesAsync(CancellationToken.None);
        }

        return published;
    }

    private static async Task PublishAsync(IBus bus, OutboxMessage message, CancellationToken ct)
    {
        var type = MessageTypes.Resolve(message.MessageType);
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
