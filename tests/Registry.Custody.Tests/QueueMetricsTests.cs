using System.Globalization;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Ctl;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>Custody with a short retry policy and its gauges read every second.</summary>
public sealed class MeasuredCustodyFixture : CustodyFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Retry:Limit"] = "1",
        ["Messaging:Retry:MinInterval"] = "00:00:00.050",
        ["Messaging:Retry:MaxInterval"] = "00:00:00.100",
        ["Messaging:Retry:IntervalDelta"] = "00:00:00.050",
        ["Telemetry:Metrics:ProbeInterval"] = "00:00:01",
    };
}

/// <summary>
/// Whether custody's consumers keep up, as Prometheus reads it at <c>/metrics</c> (issue 16): the depth of the consumer's
/// error queue read from the broker, up while a refused message waits there and down once it is moved back, and the lag
/// of each event taken. Not run beside other classes: the gauges are the process's, and other fixtures' probes (each on
/// its own virtual host, with the same queue names) would write them too.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class QueueMetricsTests(MeasuredCustodyFixture custody) : IClassFixture<MeasuredCustodyFixture>
{
    private const string Queue = "custody-case-registered";

    [Fact]
    public async Task A_refused_message_shows_in_the_error_queue_gauge_until_it_is_moved_back()
    {
        using var http = custody.Service.CreateHttpPortClient();
        var caseId = Guid.NewGuid();
        // The gauge is the process's: first this fixture's own reading (a class before may have left another value).
        await DepthAsync(http, "error", 0);
        await custody.QueryAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE custody_records RENAME TO custody_records_away"));
        try
        {
            await custody.Bus.Publisher.Publish(ErrorQueueTests.Registered(caseId));
            await DepthAsync(http, "error", 1);
        }
        finally
        {
            await custody.QueryAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE custody_records_away RENAME TO custody_records"));
        }

        Assert.Equal(1, await ErrorQueues.MoveBackAsync(custody.Broker, Queue));
        await DepthAsync(http, "error", 0);
        await DepthAsync(http, "work", 0);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the moved-back message to be applied");

        // Each delivery taken by the consumer is measured from its sending (the first attempt and the one moved back).
        var metrics = await http.GetStringAsync("/metrics");
        var taken = Regex.Match(metrics,
            $@"^registry_consumer_lag_seconds_count\{{[^}}]*messaging_destination_name=""{Queue}""[^}}]*\}} (\d+)", RegexOptions.Multiline);
        Assert.True(taken.Success, metrics);
        Assert.True(long.Parse(taken.Groups[1].Value, CultureInfo.InvariantCulture) >= 2);
    }

    private static Task DepthAsync(HttpClient http, string kind, long expected) =>
        Eventually.TrueAsync(async () =>
        {
            var metrics = await http.GetStringAsync("/metrics");
            var depth = Regex.Match(metrics,
                $@"^registry_consumer_queue_depth\{{[^}}]*messaging_destination_name=""{Queue}""[^}}]*registry_queue_kind=""{kind}""[^}}]*\}} (\d+)",
                RegexOptions.Multiline);
            return depth.Success && long.Parse(depth.Groups[1].Value, CultureInfo.InvariantCulture) == expected;
        }, TimeSpan.FromSeconds(60), $"registry_consumer_queue_depth of {Queue} ({kind}) to read {expected}");
}

/// <summary>Classes that read the process's gauges run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
