using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Rpc;
using Grpc.Core;
using Polly;
using Polly.Retry;
using Registry.Ctl.Cli;
using Registry.Protos.Intake.V1;

namespace Registry.Ctl.Import;

/// <summary>How an import sends its rows.</summary>
/// <param name="BatchSize">Rows per ImportCaptures call, 1 to 1,000 (the RPC's limit).</param>
/// <param name="Parallel">Calls in flight at once.</param>
/// <param name="Deadline">The deadline of each call (each attempt of it).</param>
/// <param name="Retries">Further attempts of a batch that failed with UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED or ABORTED.</param>
internal sealed record ImportSettings(int BatchSize, int Parallel, TimeSpan Deadline, int Retries);

/// <summary>
/// Sends a list's rows through the gateway's ImportCaptures in batches, a few in flight, and states each row's outcome in
/// the report. A batch that fails with a status worth retrying (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, and
/// ABORTED: AIP-193's "retry the whole request", which intake answers after ten lost races with another writer of the same
/// person) is sent again whole, with the same request_ids, after an exponential backoff with jitter, or after the delay the
/// server's google.rpc.RetryInfo asks for: rows the first attempt stored come back REPLAYED, never twice. Calls in flight
/// are fewer than --parallel while the registry is busy (<see cref="CallGate"/>). Any other failure,
/// retries run out, or an interruption (<see cref="Interruption"/>) stops the import: batches already in flight finish (an
/// interruption sends no retry), rows never sent are reported "unsent", rows of a call sent without an answer
/// "unanswered" (the registry commits a long call in parts, and may have stored some), and a rerun of the same list
/// replays what was stored and sends the rest.
/// </summary>
internal sealed class Importer(IntakeService.IntakeServiceClient client, ImportSettings settings, ImportReport report)
{
    /// <summary>The largest call sent: the services' receive limit (4 MiB, MaxReceiveMessageSize) less room for the framing.</summary>
    internal const int MaxCallBytes = 4 * 1024 * 1024 - 64 * 1024;

    /// <summary>The status's detail, or what the status means when it came without one (a deadline passed on this side).</summary>
    private string Detail(RpcException ex) => ex.Status.Detail is { Length: > 0 } detail ? detail : ex.StatusCode switch
    {
        StatusCode.DeadlineExceeded => string.Create(CultureInfo.InvariantCulture,
            $"no answer within the call's deadline ({settings.Deadline.TotalSeconds:0.#} s, --deadline; {settings.Retries + 1} attempt(s)); a larger --deadline or a smaller --batch may help"),
        _ => "no detail given",
    };

    private static readonly StatusCode[] Retryable = [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Aborted];

    private ResiliencePipeline? _retry;

    private readonly CallGate _gate = new(settings.Parallel);

    /// <summary>The fewest calls the import kept in flight while the registry was busy (<see cref="CallGate"/>); --parallel if never fewer.</summary>
    public int LeastParallel => _gate.Least;

    private ResiliencePipeline Retry => _retry ??= settings.Retries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => Retryable.Contains(e.StatusCode)),
            MaxRetryAttempts = settings.Retries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(30),
            DelayGenerator = args => ValueTask.FromResult(ServerDelay(args.Outcome.Exception)),
            OnRetry = _ =>
            {
                Interlocked.Increment(ref _retried);
                return default;
            },
        })
        .Build();

    private readonly Lock _lock = new();
    private string? _failure;
    private long _retried;

    /// <summary>Why the import stopped, or null when every row was sent.</summary>
    public string? Failure
    {
        get
        {
            lock (_lock)
            {
                return _failure;
            }
        }
    }

    /// <summary>How many batch attempts were retried.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>
    /// Sends every row of <paramref name="rows"/>; returns when each is in the report. <paramref name="stop"/> sends no further
    /// batch or retry and lets the calls in flight finish; <paramref name="abandon"/> gives those up.
    /// </summary>
    public async Task RunAsync(IEnumerable<ListRow> rows, CancellationToken stop, CancellationToken abandon)
    {
        var batches = Channel.CreateBounded<Batch>(settings.Parallel);
        var producer = Task.Run(async () =>
        {
            try
            {
                long sequence = 0;
                var current = new Batch(sequence++);
                var sendable = 0;
                // Every row is read even after the import has stopped: the batches then report it "unsent", so that the
                // report holds every row of the list and the summary counts them all.
                foreach (var row in rows)
                {
                    current.Rows.Add(row);
                    if (row.Request is not null && ++sendable == settings.BatchSize)
                    {
                        await batches.Writer.WriteAsync(current, CancellationToken.None);
                        current = new Batch(sequence++);
                        sendable = 0;
                    }
                }

                await batches.Writer.WriteAsync(current, CancellationToken.None);
                batches.Writer.Complete();
            }
            catch (Exception ex)
            {
                batches.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        var senders = Enumerable.Range(0, settings.Parallel).Select(_ => Task.Run(async () =>
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(CancellationToken.None))
            {
                report.Complete(batch.Sequence, await SendAsync(batch, stop, abandon));
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll([producer, .. senders]);
    }

    private async Task<IReadOnlyList<ReportLine>> SendAsync(Batch batch, CancellationToken ct, CancellationToken abandon)
    {
        var lines = batch.Rows.Where(r => r.Request is null)
            .Select(r => new ReportLine(r.Line, r.RequestId, ImportOutcomes.Invalid, "", "", 0, "", string.Join("; ", r.Problems)))
            .ToList();
        var sendable = batch.Rows.Where(r => r.Request is not null).ToList();
        if (sendable.Count == 0)
        {
            return lines;
        }

        return [.. lines, .. await SendRowsAsync(sendable, ct, abandon)];
    }

    /// <summary>
    /// Sends <paramref name="sendable"/> (valid rows) in one call and states each row's outcome; a batch larger than the
    /// registry receives goes in halves. (A row the registry could not store is refused by the registry itself, alone, with
    /// a violation of no field; the rest of its call is registered.)
    /// </summary>
    private async Task<IReadOnlyList<ReportLine>> SendRowsAsync(List<ListRow> sendable, CancellationToken ct, CancellationToken abandon)
    {
        List<ReportLine> lines = [];
        if (ct.IsCancellationRequested)
        {
            Stop("interrupted");
        }

        if (Failure is { } stopped)
        {
            return [.. lines, .. Unsent(sendable, stopped)];
        }

        var request = new ImportCapturesRequest();
        request.Rows.AddRange(sendable.Select(r => r.Request));
        if (sendable.Count > 1 && request.CalculateSize() > MaxCallBytes)
        {
            // Rows at their limits in a non-Latin script (two or three bytes a character) can make a batch larger than the
            // registry receives (4 MiB; RESOURCE_EXHAUSTED that no retry passes): sent in halves instead.
            var half = sendable.Count / 2;
            return [.. await SendRowsAsync(sendable[..half], ct, abandon), .. await SendRowsAsync(sendable[half..], ct, abandon)];
        }

        ImportCapturesResponse response;
        // Whether an attempt may have stored rows: then a failure leaves them "unanswered", not "unsent", and a later
        // attempt's replay of a case registered since the first was sent is that attempt's creation.
        var mayHaveStored = false;
        var firstSent = DateTimeOffset.UtcNow;
        try
        {
            // The stop token reaches Polly only, which then starts no further attempt; the call itself is given up only
            // when the import is abandoned, so that an interrupted import still learns what its calls in flight stored.
            response = await Retry.ExecuteAsync(
                async _ =>
                {
                    await _gate.EnterAsync(abandon);
                    var congested = false;
                    try
                    {
                        return await client.ImportCapturesAsync(request, deadline: DateTime.UtcNow.Add(settings.Deadline), cancellationToken: abandon);
                    }
                    catch (RpcException ex)
                    {
                        mayHaveStored |= MayHaveStored(ex);
                        congested = ex.StatusCode is StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted;
                        throw;
                    }
                    finally
                    {
                        _gate.Exit(congested);
                    }
                },
                ct);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated && !ct.IsCancellationRequested)
        {
            // The caller, not the rows: every row of the list would be refused alike, and sending it again will not help.
            var why = $"the registry refused the caller ({ex.StatusCode}): {ex.Status.Detail}";
            Stop(why);
            NotAllowed = true;
            return [.. lines, .. sendable.Select(r => new ReportLine(r.Line, r.RequestId, ImportOutcomes.Refused, "", "", 0, "", why))];
        }
        catch (RpcException ex)
        {
            // UNAVAILABLE without the registry's google.rpc.Status: no answer from the gateway at all (nothing listens there,
            // the network), not a refusal of the registry's.
            var why = abandon.IsCancellationRequested ? "interrupted twice: the call in flight was given up"
                : ex.StatusCode == StatusCode.Unavailable && ex.GetRpcStatus() is null && ex.Status.DebugException is not null
                    ? $"no answer from the gateway{(Connection.Called is { } gateway ? $" at {gateway}" : "")} ({settings.Retries + 1} attempt(s)): {Detail(ex)}"
                    : $"the gateway answered {ex.StatusCode}: {Detail(ex)}";
            Stop(why);
            return [.. lines, .. (mayHaveStored ? Unanswered(sendable, why) : Unsent(sendable, why))];
        }
        catch (OperationCanceledException)
        {
            // Interrupted between two attempts (Polly's backoff): the earlier attempt may have stored rows.
            Stop("interrupted");
            return [.. lines, .. (mayHaveStored ? Unanswered(sendable, "interrupted before a retry") : Unsent(sendable, "interrupted"))];
        }

        if (response.Results.Count != sendable.Count || response.Results.Any(r => r.Index < 0 || r.Index >= sendable.Count))
        {
            var why = $"the gateway answered {response.Results.Count} result(s) for {sendable.Count} row(s)";
            Stop(why);
            return [.. lines, .. Unsent(sendable, why)];
        }

        foreach (var result in response.Results)
        {
            var row = sendable[result.Index];
            var best = result.DuplicateCandidates.FirstOrDefault();
            var createdByEarlierAttempt = CreatedByEarlierAttempt(result, mayHaveStored, firstSent);
            lines.Add(new ReportLine(
                row.Line,
                row.RequestId,
                result.Outcome switch
                {
                    ImportRowOutcome.Created => ImportOutcomes.Created,
                    ImportRowOutcome.Replayed when createdByEarlierAttempt => ImportOutcomes.Created,
                    ImportRowOutcome.Replayed => ImportOutcomes.Replayed,
                    _ => ImportOutcomes.Refused,
                },
                result.CaseId,
                result.CaseNumber,
                result.DuplicateCandidates.Count,
                best is null ? "" : best.OtherCaseNumber.Length > 0 && best.OtherCaseNumber != result.CaseNumber ? best.OtherCaseNumber : best.CaseNumber,
                createdByEarlierAttempt
                    ? "created by an earlier attempt of its batch that got no answer; the retry found it stored"
                    // A violation of no field: the row as a whole (one the registry could not store).
                    : string.Join("; ", result.Violations.Select(v => v.Field.Length == 0 ? v.Description : $"{CaptureColumns.ColumnOf(v.Field)}: {v.Description}"))));
        }

        return lines;
    }

    /// <summary>
    /// Whether a row the registry answered REPLAYED was created by this import: by an earlier attempt of its batch that may
    /// have stored rows but got no answer (<paramref name="earlierAttemptMayHaveStored"/>), its case registered
    /// (<c>registered_at</c>, the registry's clock) since that attempt was sent (<paramref name="firstSent"/>, this
    /// machine's). A registry clock behind this machine's reads such a row as replayed, as before; only a case stored by
    /// another import just before this one, within the clocks' difference, could be read as created.
    /// </summary>
    internal static bool CreatedByEarlierAttempt(ImportRowResult result, bool earlierAttemptMayHaveStored, DateTimeOffset firstSent) =>
        earlierAttemptMayHaveStored && result.Outcome == ImportRowOutcome.Replayed
        && result.RegisteredAt is { } registered && registered.ToDateTimeOffset() >= firstSent;

    private static IEnumerable<ReportLine> Unsent(IEnumerable<ListRow> rows, string why) =>
        rows.Select(r => new ReportLine(r.Line, r.RequestId, ImportOutcomes.Unsent, "", "", 0, "", $"not sent: {why}"));

    private static IEnumerable<ReportLine> Unanswered(IEnumerable<ListRow> rows, string why) =>
        rows.Select(r => new ReportLine(r.Line, r.RequestId, ImportOutcomes.Unanswered, "", "", 0, "",
            $"sent, no answer: {why}; the registry may have stored it: run the same list again (what was stored is replayed)"));

    /// <summary>
    /// Whether a call that failed with <paramref name="ex"/> may have stored some of its rows: not when it was refused before
    /// the registry took it (throttled, the caller not allowed, the call as a whole refused, no connection made); otherwise it
    /// may, for intake commits a long call in parts (README "ImportCaptures") and a deadline or a lost connection can fall
    /// after a commit.
    /// </summary>
    internal static bool MayHaveStored(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.ResourceExhausted or StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.InvalidArgument
            or StatusCode.FailedPrecondition or StatusCode.OutOfRange or StatusCode.Unimplemented or StatusCode.NotFound => false,
        StatusCode.Unavailable when ex.GetRpcStatus() is null && NoConnection(ex.Status.DebugException) => false,
        _ => true,
    };

    /// <summary>
    /// Whether the call failed for want of a connection (refused, no route, a name that does not resolve): nothing was sent.
    /// A connection reset or lost during the call is not one of these.
    /// </summary>
    private static bool NoConnection(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException
                {
                    SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                    or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData or SocketError.AddressNotAvailable,
                })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the import stopped because the registry refused the caller (no valid token, or a role the access table does not allow).</summary>
    public bool NotAllowed { get; private set; }

    private bool Stop(string why)
    {
        lock (_lock)
        {
            _failure ??= why;
            return true;
        }
    }

    /// <summary>The delay a RESOURCE_EXHAUSTED or UNAVAILABLE asked for (google.rpc.RetryInfo), else null: Polly's backoff.</summary>
    private static TimeSpan? ServerDelay(Exception? exception) =>
        exception is RpcException rpc && rpc.GetRpcStatus()?.GetDetail<RetryInfo>() is { RetryDelay: { } delay }
            ? delay.ToTimeSpan()
            : null;

    private sealed class Batch(long sequence)
    {
        public long Sequence { get; } = sequence;
        public List<ListRow> Rows { get; } = [];
    }
}
