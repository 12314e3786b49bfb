using Registry.ServiceDefaults.Validation;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>
/// A service's <see cref="IAccessAuditSink"/>: writes its access events to its own store (<typeparamref name="TDb"/>'s
/// <c>access_events</c>) by GROUP COMMIT. Callers enqueue and await; one background writer takes everything pending
/// (at most <see cref="MaxBatch"/>) and inserts it in one transaction, then completes every caller of that batch.
/// So no answer leaves before its row is durable, and concurrent calls share one round trip instead of one each.
/// On PostgreSQL a batch whose callers do not ask for the events' ids (<see cref="RecordAsync"/>: every call's own
/// audit) goes as one command of INSERTs without the change tracker (<see cref="InsertBatch"/>; one command is one
/// implicit transaction), which cost about a fifteenth of intake's CPU under registrations through SaveChanges
/// (docs/performance.md, "The access audit without the change tracker").
/// <para>
/// Failure: when the insert fails, every caller of the batch gets the exception (the access interceptor answers
/// UNAVAILABLE: an access that is not audited is not answered). The queue is bounded (<see cref="QueueCapacity"/>):
/// a full queue makes callers wait (their cancellation applies). A call's own event is recorded with the outcome its
/// caller saw: one whose caller has gone before it was committed is replaced in the queue, or followed, by that
/// outcome (<see cref="RecordAnswerAsync"/>). At shutdown the writer stops taking new events only
/// after the server stopped serving calls (<see cref="IHostedLifecycleService.StoppedAsync"/>) and drains what is queued.
/// </para>
/// </summary>
public sealed class AccessAuditWriter<TDb> : IAccessAuditSink, IHostedLifecycleService, IDisposable
    where TDb : DbContext, IAccessAuditStore
{
    /// <summary>Events waiting for the writer, at most; a caller beyond it waits for room.</summary>
    public const int QueueCapacity = 10_000;

    /// <summary>Events inserted in one transaction, at most.</summary>
    public const int MaxBatch = 500;

    private static readonly Counter<long> BatchCounter = RegistryTelemetry.Meter.CreateCounter<long>(
        "registry.access_audit.batches", "{batch}", "Transactions the access audit writer committed (group commit: one per batch of events).");
    private static readonly Histogram<long> BatchSize = RegistryTelemetry.Meter.CreateHistogram<long>(
        "registry.access_audit.batch_size", "{event}", "Access events committed in one transaction.");

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private Task _loop = Task.CompletedTask;
    private long _batches;
    private long _events;

    /// <param name="package">The gRPC package whose calls this sink records, e.g. <c>registry.intake.v1</c>.</param>
    /// <param name="service">The service name stored with each event, e.g. <c>intake</c>.</param>
    public AccessAuditWriter(string package, string service, IServiceScopeFactory scopes, ILogger<AccessAuditWriter<TDb>> logger)
    {
        Package = package;
        Service = service;
        _scopes = scopes;
        _logger = logger;
    }

    public string Package { get; }

    public string Service { get; }

    /// <summary>Transactions committed so far (each holds one or more events).</summary>
    public long BatchesCommitted => Interlocked.Read(ref _batches);

    /// <summary>Events committed so far.</summary>
    public long EventsCommitted => Interlocked.Read(ref _events);

    /// <summary>
    /// Returns when the event is committed, with the id it got. Throws what the store threw when the insert failed,
    /// <see cref="InvalidOperationException"/> when the writer has stopped, and honours <paramref name="cancellationToken"/>
    /// while waiting (the event may still be written).
    /// </summary>
    public Task<long> RecordAndGetIdAsync(AccessEvent accessEvent, CancellationToken cancellationToken) =>
        EnqueueAsync(accessEvent, needsId: true, cancellationToken);

    /// <summary>As <see cref="RecordAndGetIdAsync"/>, without the id (so the row may be written without reading it back).</summary>
    public Task RecordAsync(AccessEvent accessEvent, CancellationToken cancellationToken) =>
        EnqueueAsync(accessEvent, needsId: false, cancellationToken);

    /// <summary>
    /// Records the event of a call whose answer is about to leave, while its caller waits: returns when the event is
    /// committed. When <paramref name="callerGone"/> fires first (the caller's deadline, the service's bound on the call, or
    /// the caller cancelled), the answer is never delivered, so the audit records what the caller saw: the event from
    /// <paramref name="whenGone"/> replaces <paramref name="answered"/> in the queue when the writer had not taken it yet,
    /// and follows it when it had (its INSERT may already be in flight, and access_events is append-only). Nothing waits for
    /// that row (no one is left to answer; a full queue takes it when there is room, in the background); this then throws
    /// <see cref="OperationCanceledException"/> at once.
    /// </summary>
    public async Task RecordAnswerAsync(AccessEvent answered, Func<AccessEvent> whenGone, CancellationToken callerGone)
    {
        var pending = new Pending(ToRow(answered), needsId: false);
        var queued = false;
        try
        {
            await WriteAsync(pending, callerGone);
            queued = true;
            await pending.Done.Task.WaitAsync(callerGone);
        }
        catch (OperationCanceledException) when (callerGone.IsCancellationRequested)
        {
            var seen = ToRow(whenGone());
            Observe(pending.Done.Task);
            if (!queued || !pending.TryReplace(seen))
            {
                // Not queued (the caller left while the queue was full), or the writer has it already: the outcome seen follows.
                Follow(new Pending(seen, needsId: false));
            }

            throw;
        }
    }

    /// <summary>Queues a row no caller waits for: at once when there is room, else in the background; its failure is logged.</summary>
    private void Follow(Pending pending)
    {
        Observe(pending.Done.Task);
        if (!_queue.Writer.TryWrite(pending))
        {
            _ = FollowWhenRoomAsync(pending);
        }
    }

    private async Task FollowWhenRoomAsync(Pending pending)
    {
        try
        {
            await WriteAsync(pending, CancellationToken.None);
        }
        catch (InvalidOperationException stopped)
        {
            _logger.LogError("{Message}: {Events}", stopped.Message, Describe([pending]));
        }
    }

    /// <summary>A failure of a row no caller awaits is the writer's to log; observed here so it is not raised again.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task<long> EnqueueAsync(AccessEvent accessEvent, bool needsId, CancellationToken cancellationToken)
    {
        var pending = new Pending(ToRow(accessEvent), needsId);
        await WriteAsync(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Queues <paramref name="pending"/>, waiting for room (bounded queue).</summary>
    private async Task WriteAsync(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The access audit of {Service} has stopped (the service is shutting down); the access is not recorded.");
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => WriteLoopAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Calls may still be answered while other hosted services (the server) stop: keep writing.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The server has stopped: take no more, drain what is queued (until the host's shutdown timeout).</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Access audit of {Service}: shutdown timeout before the queue drained", Service);
            await _abort.CancelAsync();
        }
    }

    public void Dispose() => _abort.Dispose();

    private async Task WriteLoopAsync(CancellationToken abort)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(abort))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    // The row as it is now: one whose caller has gone while it waited here carries what that caller saw.
                    next.Take();
                    batch.Add(next);
                }

                await CommitAsync(batch, abort);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            var stopped = new InvalidOperationException($"The access audit of {Service} stopped before the event was written.");
            while (_queue.Reader.TryRead(out var left))
            {
                left.Take();
                batch.Add(left);
            }

            if (batch.Count > 0)
            {
                // Which accesses have no row: an auditor's question later, so named here.
                _logger.LogError("Access audit of {Service}: stopped with {Count} events not written: {Events}", Service, batch.Count, Describe(batch));
            }

            foreach (var pending in batch)
            {
                pending.Done.TrySetException(stopped);
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken abort)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDb>();
            if (db.Database.IsPostgreSql() && !batch.Exists(p => p.NeedsId))
            {
                // One command, which PostgreSQL runs as one implicit transaction; nothing read back. Its INSERTs planned once
                // per session (GenericPlans.CommandPrefix), not at each batch.
                var rows = new InsertBatch(db).AddRange(batch.Select(p => p.Row));
                await (scope.ServiceProvider.GetService<GenericPlans>() is { } plans ? rows.ExecuteAsync(plans, abort) : rows.ExecuteAsync(abort));
            }
            else
            {
                // One SaveChanges: one transaction, the inserts sent together, the ids read back.
                db.AccessEvents.AddRange(batch.Select(p => p.Row));
                await db.SaveChangesAsync(abort);
            }

            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _events, batch.Count);
            BatchCounter.Add(1, new KeyValuePair<string, object?>("service", Service));
            BatchSize.Record(batch.Count, new KeyValuePair<string, object?>("service", Service));
            foreach (var pending in batch)
            {
                // The id the database gave, read back when asked for (0 otherwise).
                pending.Done.TrySetResult(pending.Row.Id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !abort.IsCancellationRequested)
        {
            _logger.LogError(ex, "Access audit of {Service}: {Count} events not written; their calls fail: {Events}", Service, batch.Count, Describe(batch));
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    /// <summary>The events of <paramref name="batch"/> for a log line: method, outcome, client and cases of the first 20.</summary>
    private static string Describe(List<Pending> batch) =>
        string.Join("; ", batch.Take(20).Select(p => $"{p.Row.Method} {p.Row.Outcome} by {p.Row.ClientId} [{string.Join(",", p.Row.CaseIds)}]"))
        + (batch.Count > 20 ? $"; and {batch.Count - 20} more" : "");

    private AccessEventRow ToRow(AccessEvent e) => new()
    {
        OccurredAt = e.OccurredAt.ToUniversalTime().ToMicroseconds(),
        Service = Service,
        Method = e.Method.TrimStart('/'),
        CaseIds = [.. e.CaseIds.Distinct()],
        ClientId = e.ClientId,
        Agency = e.Agency,
        Roles = e.Roles,
        Outcome = e.Outcome,
        Reason = TextRules.Cut(e.Reason, AccessAuditModel.ReasonLength),
        Withheld = e.Withheld,
        TraceId = e.TraceId,
        DecidedBy = e.DecidedBy,
    };

    /// <summary>
    /// An event in the queue. Its caller may replace its row until the writer takes it (<see cref="RecordAnswerAsync"/>);
    /// the writer writes the row it found when it took it, and a replacement offered later is refused.
    /// </summary>
    private sealed class Pending(AccessEventRow row, bool needsId)
    {
        private const int Queued = 0, Replaced = 1, Taken = 2;
        private int _state;
        private AccessEventRow? _replacement;

        /// <summary>The row to write: the one queued, or its replacement when the writer took it replaced.</summary>
        public AccessEventRow Row { get; private set; } = row;

        public bool NeedsId { get; } = needsId;

        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The writer's: from here on <see cref="Row"/> is what is written.</summary>
        public void Take()
        {
            if (Interlocked.Exchange(ref _state, Taken) == Replaced)
            {
                Row = _replacement!;
            }
        }

        /// <summary>Whether <paramref name="replacement"/> will be written instead (false: the writer has the row already).</summary>
        public bool TryReplace(AccessEventRow replacement)
        {
            _replacement = replacement;
            return Interlocked.CompareExchange(ref _state, Replaced, Queued) == Queued;
        }
    }
}
