using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace Registry.Load;

/// <summary>What one phase measured: the latency of every call, and how many calls ended with each status.</summary>
public sealed class PhaseStats(string name)
{
    private readonly ConcurrentBag<List<double>> _latencies = [];
    private readonly ConcurrentDictionary<StatusCode, int> _statuses = new();
    private long _completed;
    private long _ok;

    public string Name { get; } = name;
    public TimeSpan Elapsed { get; set; }
    public long Completed => Interlocked.Read(ref _completed);
    public long Ok => Interlocked.Read(ref _ok);
    /// <summary>Completed units of work (a registration with its retries counts once).</summary>
    public long Units { get; set; }

    public IReadOnlyDictionary<StatusCode, int> Statuses => _statuses;

    public List<double> NewRecorder()
    {
        var list = new List<double>(4096);
        _latencies.Add(list);
        return list;
    }

    public void Record(List<double> recorder, long startTimestamp, StatusCode status)
    {
        recorder.Add(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _completed);
        if (status == StatusCode.OK)
        {
            Interlocked.Increment(ref _ok);
        }
    }

    public double[] SortedLatencies()
    {
        var all = _latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return all;
    }

    public double Throughput => Elapsed.TotalSeconds > 0 ? (Units > 0 ? Units : Ok) / Elapsed.TotalSeconds : 0;

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    public string Summary()
    {
        var sorted = SortedLatencies();
        var errors = string.Join(", ", _statuses.Where(s => s.Key != StatusCode.OK).OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"));
        return $"{Name,-14} {Throughput,9:0.0}/s over {Elapsed.TotalSeconds:0.0} s   calls {Completed} ok {Ok}   latency ms " +
               $"p50 {Percentile(sorted, 50):0.00}  p90 {Percentile(sorted, 90):0.00}  p99 {Percentile(sorted, 99):0.00}  max {(sorted.Length > 0 ? sorted[^1] : double.NaN):0.00}" +
               $"   errors: {(errors.Length == 0 ? "none" : errors)}";
    }
}

/// <summary>Runs N clients in a closed loop (each sends its next call when the last one answered) for a while.</summary>
public static class ClosedLoop
{
    /// <param name="progress">Appended to the progress line, given the units done and the current rate.</param>
    /// <param name="every">How often the progress line is printed (2 s).</param>
    public static async Task<PhaseStats> RunAsync(string name, int clients, TimeSpan duration,
        Func<int, PhaseStats, List<double>, CancellationToken, Task> oneUnit, Func<PhaseStats, long>? units = null,
        CancellationToken until = default, Func<long, double, string>? progress = null, TimeSpan? every = null)
    {
        var stats = new PhaseStats(name);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(until);
        stop.CancelAfter(duration);
        var clock = Stopwatch.StartNew();
        var unitCount = 0L;
        var workers = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            var recorder = stats.NewRecorder();
            while (!stop.IsCancellationRequested)
            {
                await oneUnit(i, stats, recorder, stop.Token);
                Interlocked.Increment(ref unitCount);
            }
        })).ToArray();

        var all = Task.WhenAll(workers);
        var lastCount = 0L;
        var lastTime = TimeSpan.Zero;
        while (await Task.WhenAny(all, Task.Delay(every ?? TimeSpan.FromSeconds(2))) != all)
        {
            var now = clock.Elapsed;
            var done = Interlocked.Read(ref unitCount);
            var errors = stats.Completed - stats.Ok;
            var rate = (done - lastCount) / (now - lastTime).TotalSeconds;
            Console.WriteLine($"  [{name} {now.TotalSeconds,5:0}s] {done} done, {rate:0.0}/s now, {errors} failed calls{progress?.Invoke(done, rate)}");
            (lastCount, lastTime) = (done, now);
        }

        await all;
        stats.Elapsed = clock.Elapsed;
        stats.Units = units?.Invoke(stats) ?? Interlocked.Read(ref unitCount);
        return stats;
    }
}
