using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Data.Sqlite;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Deploy.Tests;

/// <summary>
/// The retention job's deletes on SQLite, the embedded mode's store (the service tests run them on
/// PostgreSQL): batches with a limit, on the outbox's key and on the inbox's two-column key.
/// </summary>
public sealed class RetentionOnSqliteTests
{
    [Fact]
    public async Task Expired_outbox_and_inbox_rows_are_deleted_in_batches_on_sqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"registry-retention-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteIntakeDbContext(
                new DbContextOptionsBuilder<SqliteIntakeDbContext>().UseSqlite($"Data Source={file}").Options);
            await db.Database.MigrateAsync();
            var now = DateTimeOffset.UtcNow;
            var retention = new MessagingRetention { BatchSize = 2 };
            db.OutboxMessages.AddRange(Enumerable.Range(0, 5).Select(i => Outbox(sentAt: now - retention.OutboxSent - TimeSpan.FromHours(1 + i))));
            db.OutboxMessages.Add(Outbox(sentAt: now - retention.OutboxSent + TimeSpan.FromHours(1)));
            db.OutboxMessages.Add(Outbox(sentAt: null));
            db.InboxMessages.AddRange(Enumerable.Range(0, 3).Select(i => Inbox(now - retention.Inbox - TimeSpan.FromHours(1 + i))));
            db.InboxMessages.Add(Inbox(now - retention.Inbox + TimeSpan.FromHours(1)));
            await db.SaveChangesAsync();

            var deleted = await MessagingRetentionJob<IntakeDbContext>.PurgeAsync(db, retention, now, CancellationToken.None);

            Assert.Equal((5, 3), deleted);
            Assert.Equal(2, await db.OutboxMessages.CountAsync());
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.SentAt == null));
            Assert.Equal(1, await db.InboxMessages.CountAsync());
            // A second replica deleting at the same time finds nothing left to delete.
            Assert.Equal((0, 0), await MessagingRetentionJob<IntakeDbContext>.PurgeAsync(db, retention, now, CancellationToken.None));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static OutboxMessage Outbox(DateTimeOffset? sentAt) => new()
    {
        MessageId = NewId.NextGuid(),
        MessageType = "urn:message:Registry.Contracts:CaseRegistered",
        Payload = "{}",
        CreatedAt = sentAt ?? DateTimeOffset.UtcNow,
        SentAt = sentAt,
    };

    private static InboxMessage Inbox(DateTimeOffset processedAt) =>
        new() { MessageId = NewId.NextGuid(), Consumer = "RetentionProbe", ProcessedAt = processedAt };
}
