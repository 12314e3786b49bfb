using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;

namespace Registry.Load;

/// <summary>
/// An accepted registration: the case the registry answered with, and when the OK arrived (for an imported row, the case's
/// registered_at: the propagation lag runs from there).
/// </summary>
public sealed record Accepted(Guid RequestId, Guid CaseId, DateTimeOffset OkAt, bool Replayed, int Attempts);

/// <summary>
/// Every registration the load generator sent, by request_id: those answered OK (with their case)
/// and those that still failed after all retries. The reconciliation checks both against the databases.
/// </summary>
public sealed class Ledger
{
    public ConcurrentDictionary<Guid, Accepted> Accepted { get; } = new();
    public ConcurrentDictionary<Guid, StatusCode> GaveUp { get; } = new();
    public int Retried;
    public int Replayed;
}

public static class Registrations
{
    /// <summary>Statuses after which the same request may be sent again: the registry may or may not have stored it.</summary>
    private static readonly HashSet<StatusCode> Retryable =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Internal, StatusCode.Unknown, StatusCode.Aborted, StatusCode.ResourceExhausted];

    /// <summary>True when a call that failed with <paramref name="status"/> may be sent again with the same request_id(s).</summary>
    public static bool IsRetryable(StatusCode status) => Retryable.Contains(status);

    /// <param name="rate">Registrations per second, all clients together (0: as fast as they go). The k-th registration is
    /// sent at k / rate seconds from the start, or at once by the first free client when the phase is behind; the furthest a
    /// send fell behind its slot is printed at the end.</param>
    public static async Task<PhaseStats> RunAsync(string name, LoadOptions options, GrpcChannel[] channels, Callers callers, Ledger ledger,
        TimeSpan duration, double rate = 0)
    {
        var clients = channels.Select(c => new IntakeService.IntakeServiceClient(c)).ToArray();
        var clock = Stopwatch.StartNew();
        var slots = -1L;
        var behindTicks = 0L;
        var phase = await ClosedLoop.RunAsync(name, channels.Length, duration, async (i, stats, recorder, stop) =>
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds(Interlocked.Increment(ref slots) / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return; // the phase ended before this slot came
                    }
                }
                else
                {
                    InterlockedMax(ref behindTicks, (-wait).Ticks);
                }
            }

            var request = Captures.Next(Random.Shared);
            await RegisterAsync(clients[i], callers, request, options, ledger, stats, recorder);
        }, _ => ledger.Accepted.Count);
        if (rate > 0)
        {
            Console.WriteLine($"  [{name}] paced at {rate:0.#}/s: {phase.Throughput:0.0}/s answered OK; " +
                $"the furthest a send fell behind its slot was {TimeSpan.FromTicks(Interlocked.Read(ref behindTicks)).TotalMilliseconds:0} ms" +
                (TimeSpan.FromTicks(behindTicks) > TimeSpan.FromSeconds(1) ? " (the registry did not keep up: the rate is above what it sustains)" : ""));
        }

        return phase;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends one registration and retries it with the same request_id (so the registry must not
    /// duplicate it) until it is answered OK, refused for good, or out of retries; as an intake officer of its capturing agency.
    /// </summary>
    public static async Task RegisterAsync(IntakeService.IntakeServiceClient client, Callers callers, RegisterCaptureRequest request,
        LoadOptions options, Ledger ledger, PhaseStats stats, List<double> recorder)
    {
        var requestId = Guid.Parse(request.RequestId);
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await client.RegisterCaptureAsync(request, new CallOptions(
                    deadline: DateTime.UtcNow + options.CallDeadline, credentials: callers.Registrar(request.Capture.CapturingAgency)));
                stats.Record(recorder, started, StatusCode.OK);
                ledger.Accepted[requestId] = new Accepted(requestId, Guid.Parse(response.Case.CaseId), DateTimeOffset.UtcNow, response.Replayed, attempt);
                ledger.GaveUp.TryRemove(requestId, out _);
                if (response.Replayed)
                {
                    Interlocked.Increment(ref ledger.Replayed);
                }

                return;
            }
            catch (RpcException ex)
            {
                stats.Record(recorder, started, ex.StatusCode);
                ledger.GaveUp[requestId] = ex.StatusCode;
                if (!Retryable.Contains(ex.StatusCode) || attempt > options.Retries)
                {
                    return;
                }

                Interlocked.Increment(ref ledger.Retried);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * Math.Pow(2, attempt - 1))));
            }
        }
    }
}
