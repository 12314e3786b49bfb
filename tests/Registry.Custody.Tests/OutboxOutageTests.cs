using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>Custody reaching its broker through a relay the test can cut, and parking rows after only 2 failed attempts.</summary>
public sealed class CutBrokerCustodyFixture : CustodyFixture
{
    public TcpProxy Relay { get; private set; } = null!;

    protected override async Task StartingAsync(string broker)
    {
        await base.StartingAsync(broker);
        var uri = new Uri(broker);
        Relay = new TcpProxy(uri.Host, uri.Port);
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:RabbitMq"] = new UriBuilder(Broker) { Host = "127.0.0.1", Port = Relay.Port }.Uri.ToString(),
        [$"{OutboxDispatch.Section}:MaxAttempts"] = "2",
        [$"{OutboxDispatch.Section}:RetryMinInterval"] = "00:00:00.1",
        [$"{OutboxDispatch.Section}:RetryMaxInterval"] = "00:00:00.2",
    };

    protected override async Task StoppedAsync()
    {
        await base.StoppedAsync();
        await Relay.DisposeAsync();
    }
}

/// <summary>
/// A broker outage is not a poisoned row (issue 10, row 5): while the bus is down every publish fails, and charging
/// the rows for it would park the whole backlog. With rows parked after only 2 attempts (a publish times out after 10 s), an outage of 40 s must park
/// none, and every event must go out once the broker is back.
/// </summary>
public sealed class OutboxOutageTests(CutBrokerCustodyFixture custody) : IClassFixture<CutBrokerCustodyFixture>
{
    [Fact]
    public async Task A_broker_outage_parks_no_row_and_everything_goes_out_once_the_broker_is_back()
    {
        // Something went out before the outage: the bus is up.
        var before = Guid.NewGuid();
        await OutboxRows.WriteAsync(custody, Row(before));
        await custody.Events.WaitForAsync<CustodyAdmitted>(m => m.CaseId == before, "an event before the outage");

        custody.Relay.Cut();
        var cases = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        try
        {
            foreach (var caseId in cases)
            {
                await OutboxRows.WriteAsync(custody, Row(caseId));
                await Task.Delay(TimeSpan.FromSeconds(4));
            }

            Assert.False(await custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.ParkedAt != null)),
                "a row was parked during the broker outage");
        }
        finally
        {
            custody.Relay.Restore();
        }

        foreach (var caseId in cases)
        {
            await Eventually.GetAsync(() => Task.FromResult(custody.Events.Of<CustodyAdmitted>().FirstOrDefault(m => m.CaseId == caseId)),
                TimeSpan.FromSeconds(120), $"the event of case {caseId} after the outage");
        }

        Assert.False(await custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.ParkedAt != null)), "a row was parked");
        // A row is marked sent after the broker's confirmation, which can come after the event reached the test's consumer.
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.SentAt == null)) == 0,
            TimeSpan.FromSeconds(30), "every row marked sent");
    }

    private static OutboxMessage Row(Guid caseId) => OutboxMessage.Create(new CustodyAdmitted
    {
        CaseId = caseId, AdmittedAt = DateTimeOffset.UtcNow, Facility = "Camp 1", CustodianAgency = "UA-SSO",
    }, DateTimeOffset.UtcNow);
}
