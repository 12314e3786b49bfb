using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Grpc.Core;
using Registry.Intake.Domain;
using Registry.Intake.Features.Import;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Intake.Features.Registration;

/// <summary>
/// Commits concurrent RegisterCapture calls together, on PostgreSQL, as a group commit: one transaction, and one statement
/// of each kind, for all of them (a transaction per part of at most 512 duplicate-lock keys, <see cref="Duplicates.DuplicateLocks.Parts"/>,
/// when a batch has more: about 100 calls), through ImportCaptures' path (<see cref="ImportCapturesHandler.RegisterAllAsync"/>),
/// instead of a transaction and a round of statements each. A registration's statements and commit cost PostgreSQL and
/// intake about three times what an imported row's did (docs/performance.md, "Registrations committed together").
/// <list type="bullet">
/// <item>No call waits for others: <see cref="RegistrationBatching.Concurrency"/> committers each take what queued while they
/// were busy, up to <see cref="RegistrationBatching.BatchLimit"/> calls. A lone call is committed alone, at once, by
/// <see cref="RegisterCaptureHandler"/> (the path of every call before batching).</item>
/// <item>Each call gets what it would have got alone. A created case, or a request_id twice in one batch (the second is
/// REPLAYED with the first's case), is answered from the batch. A row the batch answered otherwise (its request_id used
/// by an earlier call: replayed or refused) is run again alone, which replays it or raises ALREADY_EXISTS as RegisterCapture
/// does. A batch that fails as a whole (a broken rule, the database gone) is run again call by call, so one bad call
/// fails only itself.</item>
/// <item>A caller that is gone (deadline, cancellation) while its call waits in the queue leaves it, nothing stored. Once a
/// committer has taken the call, it is finished whatever the caller does, within <see cref="GrpcCallOptions.MaxUnaryCallTimeout"/>
/// (the longest any call may run): the handler returns its case, so the access audit names the case even when the caller has
/// gone (a caller past its deadline still gets DEADLINE_EXCEEDED, and a retry with the same request_id replays the case).
/// Calls of a batch that failed as a whole are run again alone, a few side by side, within what is left of the same limit,
/// even for a caller that has gone: the batch may have stored a case before it failed, and the replay is what names it in
/// the audit (only a call whose limit runs out first is left with DEADLINE_EXCEEDED, its case replayed by a retry).</item>
/// <item>Tracing: the batch is one span (<c>registration batch</c>) in the trace of its first sampled caller, the others
/// linked to it and it linked from each; every case's <c>CaseRegistered</c> event carries its own caller's trace on
/// (<see cref="ImportRow.Cause"/>). <c>registry.registration.batch.size</c> (histogram, {call}) counts the calls a
/// transaction committed.</item>
/// </list>
/// SQLite (the embedded mode) and <c>BatchLimit</c> 1 keep one transaction a call (<see cref="Enabled"/> false).
/// </summary>
public sealed class RegistrationBatcher(
    IServiceScopeFactory scopes, RegistrationBatching settings, IConfiguration configuration, ILogger<RegistrationBatcher> logger)
    : BackgroundService
{
    /// <summary>On a RegisterCapture call's span and on the batch's: how many calls its transaction committed.</summary>
    public const string BatchSizeTag = "registry.registration.batch_size";

    private static readonly Histogram<int> BatchSizes = RegistryTelemetry.Meter.CreateHistogram<int>(
        "registry.registration.batch.size", "{call}", "RegisterCapture calls committed together (in one transaction, or in parts of at most 512 duplicate-lock keys)");

    // Unbounded, yet no larger than the calls in flight: each waits at most its deadline (at most MaxUnaryCallTimeout), and
    // one that leaves is dropped at the next read.
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });

    /// <summary>How long a batch, or a call taken from the queue and committed alone, may run: the longest a unary call may.</summary>
    private readonly TimeSpan timeLimit = GrpcCallOptions.From(configuration).MaxUnaryCallTimeout;

    /// <summary>Calls in the queue now, not yet taken by a committer (those whose callers left included until the next read).</summary>
    public int Queued => queue.Reader.Count;

    /// <summary>Whether calls go through the batcher: PostgreSQL and a <see cref="RegistrationBatching.BatchLimit"/> above 1.</summary>
    public bool Enabled { get; } = settings.BatchLimit > 1 && ServiceDefaults.Data.RegistryDatabase.UsesPostgres(configuration);

    /// <summary>A call in the queue: waiting, taken by a committer, or left by its caller (then answered cancelled).</summary>
    private sealed class Pending(CaptureRegistration registration, Activity? cause, CancellationToken callerGone)
    {
        private const int Waiting = 0, Taken = 1, Left = 2;
        private int state = Waiting;

        public CaptureRegistration Registration { get; } = registration;

        public Activity? Cause { get; } = cause;

        public CancellationToken CallerGone { get; } = callerGone;

        public TaskCompletionSource<Registered> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>When a committer took the call (<see cref="Stopwatch.GetTimestamp"/>): its time limit runs from then.</summary>
        public long TakenAt { get; private set; }

        /// <summary>A committer takes the call: false when its caller left first.</summary>
        public bool TryTake()
        {
            TakenAt = Stopwatch.GetTimestamp();
            return Interlocked.CompareExchange(ref state, Taken, Waiting) == Waiting;
        }

        /// <summary>The caller leaves: answered cancelled at once unless a committer took the call first.</summary>
        public void Leave()
        {
            if (Interlocked.CompareExchange(ref state, Left, Waiting) == Waiting)
            {
                Done.TrySetCanceled(CallerGone);
            }
        }
    }

    /// <summary>
    /// Registers <paramref name="registration"/> with whatever other calls are waiting (only when <see cref="Enabled"/>):
    /// the same answer and errors as <see cref="RegisterCaptureHandler.HandleAsync"/>.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">UNAVAILABLE when intake is stopping; otherwise what the registration raised.</exception>
    public async Task<Registered> RegisterAsync(CaptureRegistration registration, CancellationToken ct)
    {
        var pending = new Pending(registration, Activity.Current, ct);
        if (!queue.Writer.TryWrite(pending))
        {
            throw RpcErrors.Unavailable("intake is stopping; send the registration again (the same request_id is safe to repeat).");
        }

        // Not WaitAsync(ct): once taken, the call is answered with its case even if the caller has gone, so that what it
        // stored is audited; while it waits, its caller's leaving answers it at once.
        await using var leave = ct.Register(static p => ((Pending)p!).Leave(), pending);
        return await pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        // Each committer runs on the thread pool; the host's stop only ends the waiting: the calls already queued are
        // still committed (their callers are waiting for them, and the server drains its calls before it stops).
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(() => CommitQueuedAsync(stoppingToken), CancellationToken.None)));
        queue.Writer.TryComplete();
        var left = new List<Pending>();
        while (queue.Reader.TryRead(out var pending))
        {
            if (pending.TryTake())
            {
                left.Add(pending);
            }
        }

        foreach (var batch in left.Chunk(settings.BatchLimit))
        {
            await CommitAsync(batch);
        }
    }

    private async Task CommitQueuedAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(settings.BatchLimit);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < settings.BatchLimit && queue.Reader.TryRead(out var pending))
                {
                    if (pending.TryTake())
                    {
                        batch.Add(pending);
                    }
                }

                if (batch.Count > 0)
                {
                    await CommitAsync(batch);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Commits <paramref name="batch"/> (taken calls) and answers each of its calls; never throws (a call's failure is its answer).</summary>
    private async Task CommitAsync(IReadOnlyList<Pending> batch)
    {
        // The committer's own work: not inside whichever request's span happened to start it.
        Activity.Current = null;
        if (batch.Count == 1)
        {
            await AloneAsync(batch[0]);
            return;
        }

        IReadOnlyList<ImportedRow> results;
        using (var activity = RegistryTelemetry.StartBatchActivity("registration batch", batch.Select(p => p.Cause?.Context ?? default).ToList(), out _))
        {
            activity?.SetTag(BatchSizeTag, batch.Count);
            foreach (var pending in batch)
            {
                if (activity is not null && pending.Cause is not null && pending.Cause.SpanId != activity.ParentSpanId)
                {
                    pending.Cause.AddLink(new ActivityLink(activity.Context));
                }
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var rows = batch.Select((p, i) => new ImportRow(i, p.Registration.Key.RequestId.ToString(), p.Registration, []) { FromCall = true, Cause = p.Cause }).ToList();
                // Not the callers' tokens: one caller's deadline does not undo the others' registrations. The time limit of
                // the calls (taken together), so that a stuck batch does not hold them past the longest a call may run.
                using var bound = new CancellationTokenSource(Remaining(batch[0]));
                results = await scope.ServiceProvider.GetRequiredService<ImportCapturesHandler>().RegisterAllAsync(rows, bound.Token);
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                logger.LogWarning(ex, "A batch of {Calls} registrations failed as a whole; each is tried alone", batch.Count);
                results = [];
            }
        }

        var alone = new List<Pending>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (i < results.Count && results[i] is { Case: { } registered, Outcome: ImportOutcome.Created or ImportOutcome.Replayed } row)
            {
                batch[i].Cause?.SetTag(BatchSizeTag, batch.Count);
                batch[i].Done.TrySetResult(new Registered(registered, row.DuplicateCandidates, Replayed: row.Outcome == ImportOutcome.Replayed));
            }
            else
            {
                alone.Add(batch[i]);
            }
        }

        if (alone.Count < batch.Count)
        {
            BatchSizes.Record(batch.Count - alone.Count);
        }

        // Each in a transaction of its own, a few side by side: one slow call does not hold the others, and a batch that
        // failed on a stuck database does not take a session for each of its calls at once. Even a caller that has gone
        // is run: the batch may have stored its case before it failed (after the commit, a read of replayed rows), and
        // the call's answer is what the access audit records; a replay costs one read.
        await Parallel.ForEachAsync(alone, new ParallelOptions { MaxDegreeOfParallelism = AloneSideBySide }, async (pending, _) => await AloneAsync(pending));
    }

    /// <summary>Calls of a batch run again alone at once (<see cref="CommitAsync"/>).</summary>
    private const int AloneSideBySide = 4;

    /// <summary>What is left of <paramref name="pending"/>'s time limit (<see cref="GrpcCallOptions.MaxUnaryCallTimeout"/> from when it was taken).</summary>
    private TimeSpan Remaining(Pending pending) => timeLimit - Stopwatch.GetElapsedTime(pending.TakenAt);

    /// <summary>
    /// One taken call on the single-call path, its spans in its own request's trace, run to its answer within what is left
    /// of its time limit whatever its caller does, so a case it stores (or replays) is the answer the access audit records.
    /// Past the limit: DEADLINE_EXCEEDED (a retry with the same request_id replays the case if one was stored).
    /// </summary>
    private async Task AloneAsync(Pending pending)
    {
        var previous = Activity.Current;
        Activity.Current = pending.Cause;
        try
        {
            var remaining = Remaining(pending);
            if (remaining <= TimeSpan.Zero)
            {
                throw new OperationCanceledException("the call's time limit passed before it could run alone");
            }

            await using var scope = scopes.CreateAsyncScope();
            using var bound = new CancellationTokenSource(remaining);
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterCaptureHandler>().HandleAsync(pending.Registration, bound.Token);
            BatchSizes.Record(1);
            pending.Cause?.SetTag(BatchSizeTag, 1);
            pending.Done.TrySetResult(registered);
        }
        catch (OperationCanceledException)
        {
            // The service's own limit, not the caller's doing: DEADLINE_EXCEEDED, not CANCELLED, in the answer and the audit.
            pending.Done.TrySetException(new RpcException(new global::Grpc.Core.Status(StatusCode.DeadlineExceeded,
                $"The registration did not finish within {timeLimit.TotalSeconds:0.#} s (Grpc:MaxUnaryCallTimeout); send it again with the same request_id: a case stored is replayed.")));
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex);
        }
        finally
        {
            Activity.Current = previous;
        }
    }
}
