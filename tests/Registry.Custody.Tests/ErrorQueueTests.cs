using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Ctl;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>Custody with a short retry policy, so that a failing message reaches the error queue in a second.</summary>
public sealed class ImpatientCustodyFixture : CustodyFixture
{
    public const int RetryLimit = 2;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Retry:Limit"] = RetryLimit.ToString(),
        ["Messaging:Retry:MinInterval"] = "00:00:00.050",
        ["Messaging:Retry:MaxInterval"] = "00:00:00.200",
        ["Messaging:Retry:IntervalDelta"] = "00:00:00.050",
    };
}

public sealed class ErrorQueueTests(ImpatientCustodyFixture custody) : IClassFixture<ImpatientCustodyFixture>
{
    private const string Queue = "custody-case-registered";

    [Fact]
    public async Task A_message_that_keeps_failing_is_retried_parked_in_the_error_queue_and_applied_once_when_moved_back()
    {
        var caseId = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        // The cause: custody's table is gone (as in a botched migration), so every attempt throws.
        await custody.QueryAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE custody_records RENAME TO custody_records_away"));
        try
        {
            await custody.Bus.Publisher.Publish(Registered(caseId), c => c.MessageId = messageId);

            await Eventually.TrueAsync(async () => await custody.Infrastructure.QueueDepthAsync(custody.Broker, Queue + "_error") == 1,
                TimeSpan.FromSeconds(60), "the failing message to be parked in the error queue");
            var headers = await custody.Infrastructure.PeekHeadersAsync(custody.Broker, Queue + "_error");
            Assert.NotNull(headers);
            // Tried once and retried Limit times in place, with the failure named.
            Assert.Equal(ImpatientCustodyFixture.RetryLimit.ToString(), headers["MT-Fault-RetryCount"]);
            Assert.Contains("custody_records", headers["MT-Fault-Message"]);
        }
        finally
        {
            // The cause fixed.
            await custody.QueryAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE custody_records_away RENAME TO custody_records"));
        }

        Assert.Equal(0, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == messageId)));

        var moved = await ErrorQueues.MoveBackAsync(custody.Broker, Queue);

        Assert.Equal(1, moved);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the moved-back message to be applied");
        Assert.Equal(1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == messageId)));
        // The management API's counts lag the broker by a few seconds.
        await Eventually.TrueAsync(async () => await custody.Infrastructure.QueueDepthAsync(custody.Broker, Queue + "_error") == 0,
            TimeSpan.FromSeconds(30), "the error queue to be empty");

        // Moving again finds nothing, and a second copy of the message (a duplicate move) changes nothing.
        Assert.Equal(0, await ErrorQueues.MoveBackAsync(custody.Broker, Queue));
        await custody.Bus.Publisher.Publish(Registered(caseId), c => c.MessageId = messageId);
        var marker = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(Registered(marker));
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == marker)),
            TimeSpan.FromSeconds(30), "a later message applied");
        Assert.Equal(1, await custody.QueryAsync(db => db.Records.CountAsync(r => r.CaseId == caseId)));
        Assert.Equal(1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == messageId)));
    }

    internal static CaseRegistered Registered(Guid caseId) => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-000023",
        FamilyName = "백",
        GivenNames = "광순",
        CapturedAt = new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero),
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = new DateTimeOffset(2025, 1, 11, 8, 0, 0, TimeSpan.Zero),
    };
}
