using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>Custody with every database round trip of its DbContexts recorded (<see cref="RoundTripCounter"/>).</summary>
public sealed class RoundTripCustodyFixture : CustodyFixture
{
    public RoundTripCounter RoundTrips { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<CustodyDbContext>(o => o.AddInterceptors(RoundTrips), ServiceLifetime.Singleton);
}

/// <summary>
/// Issue 15: a consumed CaseRegistered costs two database round trips (the inbox row and the record in one batch that
/// also begins the transaction, then the commit), and the inbox still applies a message once.
/// </summary>
public sealed class ConsumerRoundTripTests(RoundTripCustodyFixture custody) : IClassFixture<RoundTripCustodyFixture>
{
    private static CaseRegistered Registered(Guid caseId) => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-000151",
        FamilyName = "Соколов",
        GivenNames = "Андрей Петрович",
        FamilyNameLatin = "Sokolov",
        GivenNamesLatin = "Andrey Petrovich",
        CapturedAt = new DateTimeOffset(2025, 3, 2, 5, 0, 0, TimeSpan.Zero),
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = new DateTimeOffset(2025, 3, 2, 9, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_consumed_CaseRegistered_costs_two_round_trips()
    {
        var messageId = NewId.NextGuid();
        var caseId = Guid.NewGuid();

        await custody.Bus.Publisher.Publish(Registered(caseId), c => c.MessageId = messageId);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.InboxMessages.AnyAsync(m => m.MessageId == messageId)),
            TimeSpan.FromSeconds(30), "the delivery applied");

        var exchanges = custody.RoundTrips.Of(messageId);
        Assert.True(exchanges.Count is > 0 and <= 2,
            $"{exchanges.Count} round trips for one CaseRegistered:\n  " + string.Join("\n  ", exchanges));
        Assert.Equal("COMMIT", exchanges[^1]);
        Assert.Equal(1, await custody.QueryAsync(db => db.Records.CountAsync(r => r.CaseId == caseId)));
        Assert.Equal(1, await custody.QueryAsync(db => db.Events.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task Concurrent_deliveries_through_the_consumer_apply_once()
    {
        var messageId = NewId.NextGuid();
        var caseId = Guid.NewGuid();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ApplyAsync(messageId, Registered(caseId))));

        Assert.Single(outcomes, applied => applied);
        Assert.Equal(1, await custody.QueryAsync(db => db.Records.CountAsync(r => r.CaseId == caseId)));
        Assert.Equal(1, await custody.QueryAsync(db => db.Events.CountAsync(e => e.CaseId == caseId)));
        Assert.Equal(1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == messageId)));
        // A later repeat is recognised too.
        Assert.False(await ApplyAsync(messageId, Registered(caseId)));
    }

    [Fact]
    public async Task A_case_announced_again_under_another_message_id_is_acknowledged_and_keeps_its_record()
    {
        // After an outbox replay the same case can arrive under a new message id: the record's key refuses the insert,
        // the inbox applies the message again asking first (Inbox.Reapplying), records it, and changes nothing else.
        var caseId = Guid.NewGuid();
        Assert.True(await ApplyAsync(NewId.NextGuid(), Registered(caseId)));
        var again = NewId.NextGuid();

        Assert.True(await ApplyAsync(again, Registered(caseId) with { CapturePlace = "Belgorod region" }));

        Assert.Equal("Kursk region", await custody.QueryAsync(db => db.Records.Where(r => r.CaseId == caseId).Select(r => r.CapturePlace).SingleAsync()));
        Assert.Equal(1, await custody.QueryAsync(db => db.Events.CountAsync(e => e.CaseId == caseId)));
        Assert.Equal(1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == again)));
    }

    /// <summary>What the inbox filter does for one delivery: the consumer's handler inside ApplyOnceAsync, in a scope of its own.</summary>
    private async Task<bool> ApplyAsync(Guid messageId, CaseRegistered registered)
    {
        await using var scope = custody.Service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustodyDbContext>();
        var open = scope.ServiceProvider.GetRequiredService<OpenCustodyRecordHandler>();
        return await db.ApplyOnceAsync(messageId, InboxFilter<Consumers.CaseRegisteredConsumer, CustodyDbContext, CaseRegistered>.Consumer,
            TimeProvider.System, ct => open.HandleAsync(registered, ct), CancellationToken.None);
    }
}
