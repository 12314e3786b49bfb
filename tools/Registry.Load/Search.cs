using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;

namespace Registry.Load;

/// <summary>
/// Search latency: N clients in a closed loop send SearchCases through the gateway, each query one an
/// operator would type (<see cref="Captures.SearchQuery"/>): a full name in Latin or in the original
/// script, the start of a family name, a name with a typo, a name with a nationality, filters alone
/// (nationality and capture date, agency and status), a service number; first page of 20. Besides the
/// phase's own line it reports each kind of query, with how many cases its first page held on average.
/// </summary>
public static class Search
{
    public sealed class Kinds
    {
        private readonly ConcurrentDictionary<string, ConcurrentBag<(double Ms, int Found, StatusCode Status)>> _calls = new();

        public void Record(string kind, double ms, int found, StatusCode status) =>
            _calls.GetOrAdd(kind, _ => []).Add((ms, found, status));

        public IEnumerable<string> Lines() => _calls.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k =>
        {
            var ok = k.Value.Where(c => c.Status == StatusCode.OK).ToArray();
            var sorted = ok.Select(c => c.Ms).Order().ToArray();
            var errors = k.Value.Count - ok.Length;
            return $"{"",-14} {k.Key,-26} calls {k.Value.Count,6}  p50 {PhaseStats.Percentile(sorted, 50),7:0.00}  p90 {PhaseStats.Percentile(sorted, 90),7:0.00}  " +
                   $"p99 {PhaseStats.Percentile(sorted, 99),7:0.00}  max {(sorted.Length > 0 ? sorted[^1] : double.NaN),7:0.00} ms   " +
                   $"found per page {(ok.Length > 0 ? ok.Average(c => c.Found) : 0),5:0.0}{(errors > 0 ? $"   errors {errors}" : "")}";
        });
    }

    public static Task<PhaseStats> RunAsync(LoadOptions options, GrpcChannel[] channels, Callers callers, Kinds kinds)
    {
        var clients = channels.Select(c => new IntakeService.IntakeServiceClient(c)).ToArray();
        return ClosedLoop.RunAsync("search", channels.Length, options.SearchDuration, async (i, stats, recorder, _) =>
        {
            var (kind, request) = Captures.SearchQuery(Random.Shared);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await clients[i].SearchCasesAsync(request, new CallOptions(deadline: DateTime.UtcNow + options.CallDeadline, credentials: callers.Reader));
                stats.Record(recorder, started, StatusCode.OK);
                kinds.Record(kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.Cases.Count, StatusCode.OK);
            }
            catch (RpcException ex)
            {
                stats.Record(recorder, started, ex.StatusCode);
                kinds.Record(kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0, ex.StatusCode);
            }
        });
    }
}
