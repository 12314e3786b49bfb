using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Intake.Data.Sqlite;
using Registry.Intake.Features.Notifications;

namespace Registry.Deploy.Tests;

/// <summary>
/// The ICRC's acknowledgements on SQLite, the embedded mode's store (the service tests run them on PostgreSQL):
/// the migration that turns "written into the stream" into "acknowledged" drops the old, unproven times, and one
/// range UPDATE acknowledges the feed's beginning, idempotently, refusing a place beyond its end.
/// </summary>
public sealed class NotificationAcknowledgementOnSqliteTests
{
    [Fact]
    public async Task The_migration_forgets_stream_writes_and_acknowledging_a_range_works_on_sqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"registry-acknowledgement-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteIntakeDbContext(
                new DbContextOptionsBuilder<SqliteIntakeDbContext>().UseSqlite($"Data Source={file}").Options);
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync("MessagingRetentionIndexes");
            var written = DateTimeOffset.UtcNow.AddHours(-1).UtcTicks;
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                // Three notifications the old feed wrote into a stream and called delivered.
                await db.Database.ExecuteSqlAsync($$"""
                    INSERT INTO notifications ("NotificationId", "Sequence", "CaseId", "CaseNumber", "Kind", "Summary", "Payload", "CreatedAt", "DueAt", "DeliveredAt")
                    VALUES ({{Guid.NewGuid()}}, {{sequence}}, {{Guid.NewGuid()}}, {{sequence}}, 'Registration', 'x', '{}', {{written}}, {{written}}, {{written}})
                    """);
            }

            await migrator.MigrateAsync();
            Assert.Equal(0, await db.Notifications.CountAsync(n => n.AcknowledgedAt != null));

            var acknowledge = new AcknowledgeNotificationsHandler(db, TimeProvider.System, NullLogger<AcknowledgeNotificationsHandler>.Instance);
            var first = await acknowledge.HandleAsync(2, CancellationToken.None);
            var again = await acknowledge.HandleAsync(2, CancellationToken.None);
            var beyond = await Assert.ThrowsAsync<RpcException>(() => acknowledge.HandleAsync(4, CancellationToken.None));

            Assert.Equal((2L, 2L), (first.Count, first.Through));
            Assert.Equal(DateTimeOffset.UtcNow, first.At!.Value, TimeSpan.FromMinutes(1));
            Assert.Equal((0L, 2L, (DateTimeOffset?)null), (again.Count, again.Through, again.At));
            Assert.Equal(StatusCode.InvalidArgument, beyond.StatusCode);
            var times = await db.Notifications.AsNoTracking().OrderBy(n => n.Sequence).Select(n => n.AcknowledgedAt).ToListAsync();
            Assert.Equal(new[] { first.At, first.At, null }, times);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
