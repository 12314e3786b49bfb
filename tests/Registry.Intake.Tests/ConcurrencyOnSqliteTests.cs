using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data.Sqlite;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.Testing;
using NotificationKind = Registry.Intake.Domain.NotificationKind;

namespace Registry.Intake.Tests;

/// <summary>
/// The race of <see cref="ConcurrencyTests"/> on SQLite, the embedded mode's store. SQLite lets one writer
/// in at a time, but a handler that reads before its write transaction begins still races: two callers read
/// the same card owed, then write one after the other. The guard (the card's concurrency token, checked by the
/// rows its UPDATE touched) holds here as on PostgreSQL.
/// </summary>
public sealed class ConcurrencyOnSqliteTests(IntakeOnSqliteFixture intake) : IClassFixture<IntakeOnSqliteFixture>
{
    [Fact]
    public async Task Concurrent_issues_of_one_capture_card_issue_it_once_and_notify_the_ICRC_once_on_sqlite()
    {
        Assert.IsType<SqliteIntakeDbContext>(await intake.QueryAsync(db => Task.FromResult(db)));
        for (var round = 0; round < 8; round++)
        {
            var registered = (await intake.Client.RegisterCaptureAsync(ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()))).Case;
            var caseId = Guid.Parse(registered.CaseId);

            var outcomes = await Race.RunAsync(Enumerable.Range(0, 10).Select(_ =>
                (Func<Task<IssueCaptureCardResponse>>)(() => intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId }).ResponseAsync)));

            var issued = Assert.Single(outcomes, o => o.Error is null).Response!.CaptureCard;
            Assert.All(outcomes.Where(o => o.Error is not null), o => RpcAssert.RuleViolation(o.Error!, "NO_CAPTURE_CARD_DUE", $"cases/{registered.CaseId}"));
            var card = await intake.QueryAsync(db => db.CaptureCards.SingleAsync(c => c.CaseId == caseId));
            Assert.Equal(issued.IssuedAt.ToDateTimeOffset(), card.IssuedAt);
            Assert.Equal(1, await intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == NotificationKind.CaptureCard)));
        }
    }

    /// <summary>
    /// What keeps racing writers on SQLite from waiting seconds (<see cref="SqliteSessions"/>): write-ahead logging (EF Core
    /// creates the file so), SQLite's own wait for the lock, and enough pool threads for the waiters and the lock's holder. The race
    /// above went past the 10 s call bound in CI without them (a thread-pool starvation, not a failed assertion).
    /// </summary>
    [Fact]
    public async Task The_service_s_SQLite_connections_use_write_ahead_logging_and_wait_for_the_lock()
    {
        var settings = await intake.QueryAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            try
            {
                using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA journal_mode";
                var journal = (string)(await command.ExecuteScalarAsync())!;
                command.CommandText = "PRAGMA busy_timeout";
                return (journal, timeout: (long)(await command.ExecuteScalarAsync())!);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

        Assert.Equal("wal", settings.journal);
        Assert.Equal(SqliteSessions.BusyTimeoutMilliseconds, settings.timeout);
        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= SqliteSessions.MinWorkerThreads, $"the thread pool keeps {workers} worker threads ready");
    }
}
