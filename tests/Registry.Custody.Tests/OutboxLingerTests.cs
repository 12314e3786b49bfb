using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Registry.Contracts;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;
using static Registry.Custody.Tests.CaseRegisteredSamples;

namespace Registry.Custody.Tests;

/// <summary>Custody with an outbox that lets commits join a round for <see cref="Linger"/> (Messaging:Outbox:Linger).</summary>
public sealed class LingeringOutboxCustodyFixture : CustodyFixture
{
    /// <summary>The longest accepted, far longer than the test's commits take, so that a round woken by the first reads them all.</summary>
    public static readonly TimeSpan Linger = OutboxDispatch.MaxLinger;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Outbox:Linger"] = Linger.ToString(),
    };
}

/// <summary>
/// Issue 15: the outbox dispatcher, woken by a commit, lets the commits of the next moment join the round
/// (<see cref="OutboxDispatch.Linger"/>), so that registrations committed one after the other leave as one bundle, one
/// broker confirm and one transaction in each consumer instead of one each (docs/performance.md, "The outbox waits a moment
/// for more"). Custody's own dispatcher carries the rows here (the one intake runs), and custody consumes them.
/// </summary>
public sealed class OutboxLingerTests(LingeringOutboxCustodyFixture custody) : IClassFixture<LingeringOutboxCustodyFixture>
{
    [Fact]
    public async Task Rows_committed_one_after_the_other_within_the_linger_leave_as_one_bundle_applied_in_one_transaction()
    {
        // Three commits, each waking the dispatcher, a tenth of a second apart: without the linger the first is read alone.
        var rows = Enumerable.Range(0, 3).Select(_ => OutboxMessage.Create(Registered(Guid.NewGuid()), DateTimeOffset.UtcNow)).ToList();
        foreach (var row in rows)
        {
            await OutboxRows.WriteAsync(custody, row);
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var cases = rows.Select(r => System.Text.Json.JsonSerializer.Deserialize<CaseRegistered>(r.Payload)!.CaseId).ToList();
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))) == cases.Count,
            TimeSpan.FromSeconds(60), "every record opened");
        // One bundle, one consume transaction: its inbox rows share the moment it began.
        var ids = rows.Select(r => r.MessageId).ToList();
        var inbox = await custody.QueryAsync(db => db.InboxMessages.Where(m => ids.Contains(m.MessageId)).ToListAsync());
        Assert.Equal([3], inbox.GroupBy(m => m.ProcessedAt).Select(g => g.Count()));
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => ids.Contains(m.MessageId) && m.SentAt == null)) == 0,
            TimeSpan.FromSeconds(30), "every row marked sent");
    }

    [Fact]
    public void The_linger_is_read_from_configuration_and_a_value_out_of_range_stops_the_service_at_start()
    {
        static OutboxDispatch Read(string value) => OutboxDispatch.From(new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>($"{OutboxDispatch.Section}:Linger", value)]).Build());

        Assert.Equal(TimeSpan.FromMilliseconds(50), OutboxDispatch.From(new ConfigurationBuilder().Build()).Linger);
        Assert.Equal(TimeSpan.Zero, Read("00:00:00").Linger);
        Assert.Equal(TimeSpan.FromMilliseconds(20), Read("00:00:00.020").Linger);
        Assert.Contains("Messaging:Outbox:Linger", Assert.Throws<InvalidConfigurationException>(() => Read("-00:00:00.010")).Message);
        Assert.Contains("Messaging:Outbox:Linger", Assert.Throws<InvalidConfigurationException>(() => Read("00:00:02")).Message);
    }
}
