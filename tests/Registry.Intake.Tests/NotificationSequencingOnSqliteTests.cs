using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data.Sqlite;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// The ICRC feed's places given after commit on SQLite, the embedded mode's store: the sequencer's statement (no
/// advisory lock there; SQLite lets one writer in at a time) places concurrent writers' notifications without gaps.
/// </summary>
public sealed class NotificationSequencingOnSqliteTests(IntakeOnSqliteFixture intake) : IClassFixture<IntakeOnSqliteFixture>
{
    [Fact]
    public async Task Concurrent_registrations_reach_the_feed_once_each_in_places_without_gaps_on_sqlite()
    {
        Assert.IsType<SqliteIntakeDbContext>(await intake.QueryAsync(db => Task.FromResult(db)));
        var written = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            (await intake.Client.RegisterCaptureAsync(ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()))).Case.CaseId));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = intake.Client.StreamNotifications(new StreamNotificationsRequest(), cancellationToken: timeout.Token);
        var read = new List<Notification>();
        while (!written.All(id => read.Any(n => n.CaseId == id)) && await call.ResponseStream.MoveNext(timeout.Token))
        {
            read.Add(call.ResponseStream.Current.Notification);
        }

        Assert.Equal(Enumerable.Range(1, read.Count).Select(i => i.ToString()), read.Select(n => n.Cursor));
        Assert.All(written, id => Assert.Single(read, n => n.CaseId == id));
        var places = await intake.QueryAsync(db => db.Notifications.Select(n => n.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, places.Count).Select(i => (long?)i), places.Order());
    }
}
