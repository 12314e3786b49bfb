using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>Intake with a clock the test moves and deletes of two rows at a time, on a database of its own.</summary>
public sealed class RetentionIntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public const int BatchSize = 2;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Retention:BatchSize"] = BatchSize.ToString(),
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

public sealed class RetentionTests(RetentionIntakeFixture intake) : IClassFixture<RetentionIntakeFixture>
{
    [Fact]
    public async Task Sent_outbox_rows_and_inbox_rows_older_than_their_windows_are_deleted_by_the_hour()
    {
        var now = intake.Clock.GetUtcNow();
        // Five past the outbox window (more than one batch), one inside it, one old but never sent.
        var expiredSent = Enumerable.Range(0, 5).Select(i => Outbox(sentAt: now - TimeSpan.FromDays(8 + i))).ToList();
        var recentSent = Outbox(sentAt: now - TimeSpan.FromDays(6));
        var unsent = Outbox(sentAt: null, createdAt: now - TimeSpan.FromDays(60));
        var expiredInbox = Enumerable.Range(0, 3).Select(i => Inbox(now - TimeSpan.FromDays(31 + i))).ToList();
        var recentInbox = Inbox(now - TimeSpan.FromDays(29));
        await intake.QueryAsync(db =>
        {
            db.OutboxMessages.AddRange([.. expiredSent, recentSent, unsent]);
            db.InboxMessages.AddRange([.. expiredInbox, recentInbox]);
            return db.SaveChangesAsync();
        });
        var outboxIds = expiredSent.Append(recentSent).Append(unsent).Select(m => m.MessageId).ToList();
        var inboxIds = expiredInbox.Append(recentInbox).Select(m => m.MessageId).ToList();

        // The job's next round is an hour (Messaging:Retention:Interval) of the service's clock away. On a loaded
        // machine the job may not be waiting on the clock yet when it is moved (the move is then missed): move it
        // again, at most three hours in all (the recent rows stay inside their windows).
        async Task<bool> DeletedAsync() =>
            await intake.QueryAsync(db => db.OutboxMessages.CountAsync(m => outboxIds.Contains(m.MessageId))) == 2
            && await intake.QueryAsync(db => db.InboxMessages.CountAsync(m => inboxIds.Contains(m.MessageId))) == 1;
        for (var hour = 1; ; hour++)
        {
            intake.Clock.Advance(TimeSpan.FromHours(1));
            try
            {
                await Eventually.TrueAsync(DeletedAsync, TimeSpan.FromSeconds(15), "the expired rows deleted");
                break;
            }
            catch (TimeoutException) when (hour < 3)
            {
            }
        }

        var kept = await intake.QueryAsync(db => db.OutboxMessages.Where(m => outboxIds.Contains(m.MessageId)).Select(m => m.MessageId).ToListAsync());
        Assert.Equal(new[] { recentSent.MessageId, unsent.MessageId }.Order(), kept.Order());
        Assert.True(await intake.QueryAsync(db => db.InboxMessages.AnyAsync(m => m.MessageId == recentInbox.MessageId)));
    }

    private static OutboxMessage Outbox(DateTimeOffset? sentAt, DateTimeOffset? createdAt = null) => new()
    {
        MessageId = NewId.NextGuid(),
        // A name no contract has: should the dispatcher pick the unsent row up, it fails and leaves it unsent.
        MessageType = "urn:message:Registry.Tests:RetentionProbe",
        Payload = "{}",
        CreatedAt = createdAt ?? sentAt!.Value,
        SentAt = sentAt,
    };

    private static InboxMessage Inbox(DateTimeOffset processedAt) =>
        new() { MessageId = NewId.NextGuid(), Consumer = "RetentionProbe", ProcessedAt = processedAt };
}
