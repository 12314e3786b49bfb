using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data.Sqlite;
using Registry.Protos.Intake.V1;
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
}
