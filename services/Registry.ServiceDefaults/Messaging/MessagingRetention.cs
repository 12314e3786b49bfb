using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// How long the outbox and the inbox keep rows (configuration section <c>Messaging:Retention</c>). A sent
/// outbox row is only history once the broker confirmed it: kept <see cref="OutboxSent"/> for looking into
/// an incident. An inbox row is what recognises a redelivered message, so it must outlive the longest a
/// message can wait and come back: in <c>&lt;queue&gt;_error</c> until <c>registryctl move-errors</c> moves it
/// (<see cref="ConsumerRetry"/>), or unsent in a publisher's outbox while the broker is away. A message
/// older than <see cref="Inbox"/> would be applied again. Only sent outbox rows are ever deleted: a pending row, and a
/// row the dispatcher parked (<see cref="OutboxMessage.ParkedAt"/>, never sent), stays until it is sent, however old.
/// </summary>
public sealed class MessagingRetention
{
    public const string Section = "Messaging:Retention";

    public TimeSpan OutboxSent { get; init; } = TimeSpan.FromDays(7);
    public TimeSpan Inbox { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Rows per delete statement: short statements, so no lock is held long while the service writes.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>The inbox keeps a message id at least this long, whatever is configured: shorter, a message
    /// parked in an error queue over a weekend would be applied twice when moved back.</summary>
    public static readonly TimeSpan MinimumInbox = TimeSpan.FromDays(1);

    /// <summary>Reads and checks the section; a value that would delete the redelivery guard, or spin, stops the service at start.</summary>
    /// <exception cref="InvalidConfigurationException">A window, the interval or the batch size is out of range.</exception>
    public static MessagingRetention From(IConfiguration configuration)
    {
        var retention = configuration.GetSection(Section).Get<MessagingRetention>() ?? new MessagingRetention();
        var problems = new List<string>();
        if (retention.OutboxSent <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:OutboxSent must be positive, not {retention.OutboxSent}");
        }

        if (retention.Inbox < MinimumInbox)
        {
            problems.Add($"{Section}:Inbox must be at least {MinimumInbox} (longer than a message may wait in an error queue), not {retention.Inbox}");
        }

        if (retention.Interval < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{Section}:Interval must be at least 1 second, not {retention.Interval}");
        }

        if (retention.BatchSize is < 1 or > 100_000)
        {
            problems.Add($"{Section}:BatchSize must be between 1 and 100000, not {retention.BatchSize}");
        }

        return problems.Count == 0 ? retention : throw new InvalidConfigurationException(string.Join("; ", problems) + ".");
    }
}

/// <summary>
/// Deletes what <see cref="MessagingRetention"/> no longer keeps from the outbox and inbox of
/// <typeparamref name="TDb"/>, every <see cref="MessagingRetention.Interval"/>. Plain EF Core deletes in
/// bounded batches, so it runs on PostgreSQL and SQLite alike; two replicas doing it at once only find
/// fewer rows to delete.
/// </summary>
public sealed class MessagingRetentionJob<TDb>(
    IServiceScopeFactory scopes,
    MessagingRetention retention,
    TimeProvider clock,
    ILogger<MessagingRetentionJob<TDb>> logger) : BackgroundService
    where TDb : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var (outbox, inbox) = await PurgeAsync(scope.ServiceProvider.GetRequiredService<TDb>(), retention, clock.GetUtcNow(), stoppingToken);
                logger.LogInformation(
                    "Retention in {Store}: deleted {Outbox} sent outbox rows older than {OutboxWindow} and {Inbox} inbox rows older than {InboxWindow}",
                    typeof(TDb).Name, outbox, retention.OutboxSent, inbox, retention.Inbox);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The next round tries again; nothing is lost by deleting later.
                logger.LogWarning(ex, "Retention in {Store} failed; trying again in {Interval}", typeof(TDb).Name, retention.Interval);
            }

            await Task.Delay(retention.Interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Deletes, batch by batch, sent outbox rows and inbox rows older than their windows at <paramref name="now"/>.</summary>
    public static async Task<(int Outbox, int Inbox)> PurgeAsync(TDb db, MessagingRetention retention, DateTimeOffset now, CancellationToken ct)
    {
        var outbox = 0;
        if (db is IOutboxStore outboxStore)
        {
            var sentBefore = now - retention.OutboxSent;
            // Found through ix_outbox_messages_sent_at, as the inbox's rows through ix_inbox_messages_processed_at.
            // SentAt != null: a parked row is never deleted here; it waits for `registryctl outbox retry`.
            outbox = await DeleteInBatchesAsync(() => outboxStore.OutboxMessages
                .Where(m => m.SentAt != null && m.SentAt < sentBefore)
                .OrderBy(m => m.Id)
                .Take(retention.BatchSize).ExecuteDeleteAsync(ct), retention.BatchSize);
        }

        var inbox = 0;
        if (db is IInboxStore inboxStore)
        {
            var processedBefore = now - retention.Inbox;
            inbox = await DeleteInBatchesAsync(() => inboxStore.InboxMessages
                .Where(m => m.ProcessedAt < processedBefore)
                .OrderBy(m => m.ProcessedAt)
                .Take(retention.BatchSize).ExecuteDeleteAsync(ct), retention.BatchSize);
        }

        return (outbox, inbox);
    }

    private static async Task<int> DeleteInBatchesAsync(Func<Task<int>> deleteBatch, int batchSize)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await deleteBatch();
            total += deleted;
        }
        while (deleted == batchSize);

        return total;
    }
}
