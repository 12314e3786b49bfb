using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

public sealed class CaseRegisteredTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    private static CaseRegistered Registered(Guid caseId) => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-000017",
        FamilyName = "리",
        GivenNames = "정혁",
        CapturedAt = new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero),
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = new DateTimeOffset(2025, 1, 11, 8, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_registered_case_gets_a_custody_record_awaiting_admission()
    {
        var caseId = Guid.NewGuid();

        await custody.Bus.Publisher.Publish(Registered(caseId));

        var record = await Eventually.GetAsync(
            () => TryGetAsync(caseId), TimeSpan.FromSeconds(30), "the custody record");
        Assert.Equal("RC-000017", record.CaseNumber);
        Assert.Equal(CustodyState.AwaitingAdmission, record.State);
        Assert.Equal("Kursk region", record.CapturePlace);
        Assert.Equal(new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero), record.CapturedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_redelivered_message_is_applied_once()
    {
        // The redelivery carries the same message id; its body names another case, so that only
        // the inbox (not the record's own key) can tell it was seen before.
        var messageId = NewId.NextGuid();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        await custody.Bus.Publisher.Publish(Registered(first), c => c.MessageId = messageId);
        await Eventually.GetAsync(() => TryGetAsync(first), TimeSpan.FromSeconds(30), "the first delivery applied");
        await custody.Bus.Publisher.Publish(Registered(second), c => c.MessageId = messageId);
        // A later message proves the queue moved past the redelivery.
        var marker = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(Registered(marker));
        await Eventually.GetAsync(() => TryGetAsync(marker), TimeSpan.FromSeconds(30), "a later message applied");

        Assert.Null(await TryGetAsync(second));
        // Recorded by the inbox filter of the consumer's definition, under the consumer's name.
        Assert.Equal(1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(
            m => m.MessageId == messageId && m.Consumer == nameof(Consumers.CaseRegisteredConsumer))));
        // The redelivery was acknowledged as consumed, not moved to <queue>_skipped as a message no consumer
        // took. Asked of the broker itself (the management API's counts lag by seconds), for a few seconds,
        // since the marker may have been consumed alongside the redelivery.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0u, await SkippedAsync("custody-case-registered_skipped"));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<uint> SkippedAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(custody.Broker) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return 0; // no such queue: MassTransit declares it when it first skips a message
        }
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_message_apply_it_once()
    {
        var messageId = Guid.NewGuid();
        var caseIds = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();

        var outcomes = await Task.WhenAll(caseIds.Select(caseId => custody.QueryAsync(db =>
            db.ApplyOnceAsync(messageId, "race", TimeProvider.System, ct =>
            {
                db.Records.Add(global::Registry.Custody.Domain.CustodyRecord.Open(caseId, "RC-000099", DateTimeOffset.UtcNow.AddDays(-1), "Kursk region", "UA-SSO", DateTimeOffset.UtcNow).Record);
                return Task.CompletedTask;
            }, CancellationToken.None))));

        Assert.Single(outcomes, applied => applied);
        Assert.Equal(1, await custody.QueryAsync(db => db.Records.CountAsync(r => caseIds.Contains(r.CaseId))));
    }

    [Fact]
    public async Task An_unknown_case_has_no_custody_record()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);

        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = "RC-000001" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    private async Task<Protos.Custody.V1.CustodyRecord?> TryGetAsync(Guid caseId)
    {
        try
        {
            return (await custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
