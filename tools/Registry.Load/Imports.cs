using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;

namespace Registry.Load;

/// <summary>
/// The bulk path: the same generated persons as <see cref="Registrations"/> (with the one-in-fifty repeats by another
/// agency), sent as <c>IntakeService/ImportCaptures</c> batches through the gateway, as an information bureau loads its
/// lists. Each batch is one agency's list (an intake officer imports only in its own agency's name: every row's
/// <c>capture.capturing_agency</c>), the agencies taken in turn, sent with that agency's intake-officer token. Every row's
/// request_id goes into the ledger with its outcome, so the reconciliation checks imported rows as it checks single
/// registrations: CREATED and REPLAYED rows as answered OK with their case, REFUSED rows as given up (a refused row must
/// store nothing). A call that fails with a retryable status is sent again whole, with the same request_ids: rows the
/// registry stored before the failure come back REPLAYED, never twice.
/// </summary>
public static class Imports
{
    /// <summary>What an import did besides the ledger: rows refused (with their first violation, by field), and rows sent.</summary>
    public sealed class Counts
    {
        public int Rows;
        public int Created;
        public int Replayed;
        public int Refused;
        public System.Collections.Concurrent.ConcurrentDictionary<string, int> RefusedByField { get; } = new();
        /// <summary>The request_ids of refused rows: intake must hold no case for any of them.</summary>
        public System.Collections.Concurrent.ConcurrentBag<Guid> RefusedIds { get; } = [];
    }

    /// <summary>
    /// Imports <paramref name="rows"/> rows in batches of <see cref="LoadOptions.ImportBatch"/>, with
    /// <see cref="LoadOptions.ImportParallel"/> calls in flight; a progress line every <paramref name="every"/>.
    /// The phase's latencies are per batch; its throughput (Units / Elapsed) is rows answered OK per second.
    /// </summary>
    public static async Task<PhaseStats> RunAsync(string name, LoadOptions options, GrpcChannel[] channels, Callers callers, Ledger ledger,
        Counts counts, long rows, TimeSpan every, Func<long, string>? progress = null)
    {
        var clients = channels.Select(c => new IntakeService.IntakeServiceClient(c)).ToArray();
        var agencies = callers.Agencies.OrderBy(a => a, StringComparer.Ordinal).ToArray();
        var left = rows;
        var batchNumber = -1L;
        using var done = new CancellationTokenSource();
        var parallel = Math.Min(options.ImportParallel, channels.Length);
        var stats = await ClosedLoop.RunAsync(name, parallel, TimeSpan.FromDays(1), async (i, stats, recorder, _) =>
        {
            var size = (int)Math.Min(options.ImportBatch, Interlocked.Add(ref left, -options.ImportBatch) + options.ImportBatch);
            if (size <= 0)
            {
                await done.CancelAsync();
                return;
            }

            var agency = agencies[(int)(Interlocked.Increment(ref batchNumber) % agencies.Length)];
            var request = new ImportCapturesRequest();
            for (var r = 0; r < size; r++)
            {
                request.Rows.Add(Captures.Next(Random.Shared, agency));
            }

            await ImportAsync(clients[i], callers, agency, request, options, ledger, counts, stats, recorder);
        }, _ => counts.Created + counts.Replayed, done.Token,
        progress: (_, _) =>
        {
            var answered = Volatile.Read(ref counts.Rows);
            return $"; rows {answered} of {rows} ({100.0 * answered / Math.Max(1, rows):0.0}%), refused {Volatile.Read(ref counts.Refused)}{progress?.Invoke(answered)}";
        }, every: every);
        return stats;
    }

    /// <summary>Sends one batch, and again with the same rows after a retryable failure, until answered or out of retries.</summary>
    public static async Task ImportAsync(IntakeService.IntakeServiceClient client, Callers callers, string agency, ImportCapturesRequest request,
        LoadOptions options, Ledger ledger, Counts counts, PhaseStats stats, List<double> recorder)
    {
        // A batch of a thousand rows does a thousand registrations' work: its deadline grows with its size.
        var deadline = options.CallDeadline + TimeSpan.FromMilliseconds(50 * request.Rows.Count);
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await client.ImportCapturesAsync(request, new CallOptions(deadline: DateTime.UtcNow + deadline, credentials: callers.Registrar(agency)));
                stats.Record(recorder, started, StatusCode.OK);
                var okAt = DateTimeOffset.UtcNow;
                foreach (var result in response.Results)
                {
                    var row = request.Rows[result.Index];
                    var requestId = Guid.Parse(row.RequestId);
                    if (result.RequestId != row.RequestId)
                    {
                        throw new InvalidDataException($"ImportCaptures answered row {result.Index} with request_id {result.RequestId}, but that row's is {row.RequestId}");
                    }

                    switch (result.Outcome)
                    {
                        case ImportRowOutcome.Created or ImportRowOutcome.Replayed:
                            // A row replayed on the first attempt is a request_id seen before: the generator never reuses one.
                            var replayed = result.Outcome == ImportRowOutcome.Replayed;
                            // The propagation lag runs from the case's registration (registered_at, intake's clock on this
                            // machine), not from the call's answer: a call of many rows commits in parts, and its first parts'
                            // events reach custody and medical before the call returns (a lag from the answer was 0).
                            var from = result.RegisteredAt?.ToDateTimeOffset() ?? okAt;
                            ledger.Accepted[requestId] = new Accepted(requestId, Guid.Parse(result.CaseId), from, replayed, attempt);
                            ledger.GaveUp.TryRemove(requestId, out _);
                            if (replayed)
                            {
                                Interlocked.Increment(ref counts.Replayed);
                                Interlocked.Increment(ref ledger.Replayed);
                            }
                            else
                            {
                                Interlocked.Increment(ref counts.Created);
                            }

                            break;
                        default:
                            ledger.GaveUp[requestId] = StatusCode.InvalidArgument;
                            Interlocked.Increment(ref counts.Refused);
                            counts.RefusedIds.Add(requestId);
                            var field = result.Violations.Count > 0 ? result.Violations[0].Field : $"(outcome {result.Outcome})";
                            counts.RefusedByField.AddOrUpdate(field, 1, (_, n) => n + 1);
                            break;
                    }
                }

                if (response.Results.Count != request.Rows.Count)
                {
                    throw new InvalidDataException($"ImportCaptures answered {response.Results.Count} results for {request.Rows.Count} rows");
                }

                Interlocked.Add(ref counts.Rows, request.Rows.Count);
                return;
            }
            catch (RpcException ex)
            {
                stats.Record(recorder, started, ex.StatusCode);
                foreach (var row in request.Rows)
                {
                    ledger.GaveUp[Guid.Parse(row.RequestId)] = ex.StatusCode;
                }

                if (!Registrations.IsRetryable(ex.StatusCode) || attempt > options.Retries)
                {
                    Interlocked.Add(ref counts.Rows, request.Rows.Count);
                    return;
                }

                Interlocked.Increment(ref ledger.Retried);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * Math.Pow(2, attempt - 1))));
            }
        }
    }
}
