using System.Data.Common;
using System.Linq.Expressions;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;
using Xunit.Abstractions;
using NotificationKind = Registry.Protos.Intake.V1.NotificationKind;

namespace Registry.Intake.Tests;

/// <summary>
/// The ICRC feed's places given after commit (<see cref="NotificationSequencer"/>, issue 15): under many writers at
/// once (registrations through the gRPC client, admissions through the bus), a reader that hangs up and resumes from its
/// cursor gets every notification once, in order, the places without gaps; sequencers of several processes at once never
/// give a place twice; and a writer whose transaction is open holds nobody back (no shared row is locked).
/// </summary>
public sealed class NotificationSequencingTests(IntakeFixture intake, ITestOutputHelper output) : IClassFixture<IntakeFixture>
{
    private static readonly TimeSpan ReadFor = TimeSpan.FromSeconds(90);

    /// <summary>Reads the feed from <paramref name="cursor"/> until <paramref name="enough"/> holds for what was read, then hangs up.</summary>
    /// <remarks>
    /// Hanging up early on <paramref name="stop"/> (the writers failed): the caller then awaits the writers for their
    /// error. After <see cref="ReadFor"/> it fails with what was read and what the feed holds after the cursor.
    /// </remarks>
    private async Task<List<Notification>> ReadAsync(string cursor, Func<List<Notification>, bool> enough, CancellationToken stop = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(ReadFor);
        using var call = intake.Client.StreamNotifications(new StreamNotificationsRequest { Cursor = cursor }, cancellationToken: timeout.Token);
        var read = new List<Notification>();
        try
        {
            while (!enough(read) && await call.ResponseStream.MoveNext(timeout.Token))
            {
                read.Add(call.ResponseStream.Current.Notification);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && !stop.IsCancellationRequested)
        {
            var after = long.Parse(cursor.Length == 0 ? "0" : cursor, System.Globalization.CultureInfo.InvariantCulture);
            var (placed, unplaced) = await intake.QueryAsync(async db => (
                await db.Notifications.CountAsync(n => n.Sequence > after), await db.Notifications.CountAsync(n => n.Sequence == null)));
            throw new TimeoutException(
                $"After {ReadFor.TotalSeconds:0} s the feed from cursor '{cursor}' had given {read.Count} notifications (last cursor " +
                $"{(read.Count > 0 ? read[^1].Cursor : "none")}); the store holds {placed} placed after the cursor and {unplaced} without a place.", ex);
        }

        return read;
    }

    /// <summary>The feed's end now: the cursor of a notification raised just before (every later one comes after it).</summary>
    private async Task<long> EndOfFeedAsync()
    {
        var seed = (await intake.Client.RegisterCaptureAsync(ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()))).Case;
        var read = await ReadAsync("", read => read.Any(n => n.CaseId == seed.CaseId));
        return long.Parse(read[^1].Cursor);
    }

    private Task WaitUntilAllPlacedAsync() =>
        Eventually.TrueAsync(() => intake.QueryAsync(db => db.Notifications.AllAsync(n => n.Sequence != null)), TimeSpan.FromSeconds(30),
            "every committed notification to have its place");

    /// <summary>Every place of the whole feed is given once, and they run 1, 2, … without a gap.</summary>
    private async Task AssertPlacesRunWithoutGapsAsync()
    {
        var places = await intake.QueryAsync(db => db.Notifications.Select(n => n.Sequence!.Value).OrderBy(s => s).ToListAsync());
        Assert.Equal(Enumerable.Range(1, places.Count).Select(i => (long)i), places);
    }

    /// <summary>The place of the one notification <paramref name="which"/> selects, once it has one.</summary>
    private async Task<long> PlaceWhenGivenAsync(Expression<Func<Registry.Intake.Domain.IcrcNotification, bool>> which, string what)
    {
        long? place = null;
        await Eventually.TrueAsync(async () => (place = await intake.QueryAsync(db => db.Notifications.Where(which).Select(n => n.Sequence).SingleOrDefaultAsync())) is not null,
            TimeSpan.FromSeconds(30), what);
        return place!.Value;
    }

    [Fact]
    public async Task Many_writers_and_a_reader_that_resumes_from_its_cursor_get_every_notification_once_in_order_without_gaps()
    {
        const int Writers = 16;
        const int Each = 6; // registrations per writer; every second one is also admitted (a consumer's notification)
        const int Expected = Writers * Each + Writers * Each / 2;
        var start = await EndOfFeedAsync();

        var resent = 0;
        var writing = Task.WhenAll(Enumerable.Range(0, Writers).Select(async _ =>
        {
            for (var i = 0; i < Each; i++)
            {
                // As an agency's client does: the same request (its request_id) again after UNAVAILABLE (e.g. a deadlock
                // the store broke under a loaded machine) or the service's own DEADLINE_EXCEEDED (its 10 s bound, run out
                // once in CI while other test processes stalled this one), which replays it if it was stored. What this
                // test is about is the feed's order, not how fast a call is.
                var request = ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word());
                Case registered;
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        registered = (await intake.Client.RegisterCaptureAsync(request, deadline: DateTime.UtcNow.AddSeconds(30))).Case;
                        break;
                    }
                    catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && attempt < 5)
                    {
                        Interlocked.Increment(ref resent);
                        output.WriteLine($"RegisterCapture {ex.StatusCode} (attempt {attempt}), sent again: {ex.Status.Detail}");
                        await Task.Delay(200 * attempt);
                    }
                }

                if (i % 2 == 1)
                {
                    await intake.Bus.Publisher.Publish(new CustodyAdmitted
                    {
                        CaseId = Guid.Parse(registered.CaseId), AdmittedAt = DateTimeOffset.UtcNow, Facility = "Camp 3", CustodianAgency = "UA-SBU",
                    }, c => c.MessageId = NewId.NextGuid());
                }
            }
        }));

        // The first reader hangs up a third of the way, while the writers write; the second resumes from its last cursor.
        // A writer that fails ends the reading at once, and its error is what the test reports.
        using var writersFailed = new CancellationTokenSource();
        _ = writing.ContinueWith(_ => writersFailed.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        List<Notification> first, rest;
        try
        {
            first = await ReadAsync(start.ToString(), read => read.Count >= Expected / 3, writersFailed.Token);
            rest = await ReadAsync(first[^1].Cursor, read => first.Count + read.Count >= Expected, writersFailed.Token);
        }
        catch (Exception) when (writersFailed.IsCancellationRequested)
        {
            await writing; // throws the writer's error
            throw;
        }

        await writing;
        output.WriteLine($"{resent} registrations answered UNAVAILABLE or DEADLINE_EXCEEDED and were sent again");
        await WaitUntilAllPlacedAsync();

        var all = first.Concat(rest).ToList();
        Assert.Equal(Expected, all.Count);
        Assert.Equal(all.Count, all.Select(n => n.NotificationId).Distinct().Count());
        // In order, without gaps: exactly the places after the start.
        Assert.Equal(Enumerable.Range(1, Expected).Select(i => start + i), all.Select(n => long.Parse(n.Cursor)));
        // Nothing skipped: every notification placed after the start is among those read.
        var placed = await intake.QueryAsync(db => db.Notifications.Where(n => n.Sequence > start).Select(n => n.NotificationId).ToListAsync());
        Assert.Equal(placed.Select(id => id.ToString()).Order(), all.Select(n => n.NotificationId).Order());
        Assert.Equal(Writers * Each, all.Count(n => n.Kind == NotificationKind.Registration));
        Assert.Equal(Writers * Each / 2, all.Count(n => n.Kind == NotificationKind.Admission));
        await AssertPlacesRunWithoutGapsAsync();
    }

    [Fact]
    public async Task Sequencers_running_at_once_on_one_database_never_give_one_place_twice()
    {
        // The service's own sequencer, and four more as other replicas would run them, each on its own connection, in
        // small rounds so that they meet often, while eight writers register.
        var writing = Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 6; i++)
            {
                await intake.Client.RegisterCaptureAsync(ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()));
            }
        }));
        var sequencers = Enumerable.Range(0, 4).Select(async _ =>
        {
            var given = new List<long>();
            while (!writing.IsCompleted)
            {
                await using var scope = intake.Service.Services.CreateAsyncScope();
                given.AddRange(await NotificationSequencer.PlaceAsync(scope.ServiceProvider.GetRequiredService<IntakeDbContext>(), batch: 3, CancellationToken.None));
            }

            return given;
        }).ToList();

        await writing;
        var given = (await Task.WhenAll(sequencers)).SelectMany(g => g).ToList();
        await WaitUntilAllPlacedAsync();

        Assert.NotEmpty(given); // the extra sequencers did give places, not only the service's own
        Assert.Equal(given.Count, given.Distinct().Count());
        await AssertPlacesRunWithoutGapsAsync();
    }

    [Fact]
    public async Task A_sessions_rounds_plan_their_statements_once()
    {
        // One session throughout (the connection held open): Npgsql prepares a statement on its fifth use, and
        // pg_prepared_statements (PostgreSQL 14+) counts, for the session, the plans made for each prepared statement.
        await using var scope = intake.Service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
        await db.Database.OpenConnectionAsync();
        for (var round = 0; round < 8; round++)
        {
            await NotificationSequencer.PlaceAsync(db, NotificationSequencer.Batch, CancellationToken.None);
        }

        // The sequencer's own statements only: a pooled session may also hold the duplicate locks' statement (it takes
        // advisory locks too, with its keys as a parameter, planned for their values where a registration runs it), which
        // this test once matched and failed on.
        var plans = await PreparedPlans.OfSessionAsync(db,
            $"statement LIKE '%pg_advisory_xact_lock({NotificationSequencer.LockKey})%' OR statement LIKE '%unplaced AS (%'");
        await db.Database.CloseConnectionAsync();

        // Both the lock and the placing statement were prepared, and neither was ever planned for its values: under the
        // sessions' force_custom_plan, a parameter in either would have made a plan at every round. (A pooled session may
        // also hold the placing statement of another batch size, prepared by another test's rounds: checked the same way.)
        Assert.Contains(plans, p => p.Statement.Contains($"pg_advisory_xact_lock({NotificationSequencer.LockKey})", StringComparison.Ordinal));
        Assert.Contains(plans, p => p.Statement.Contains($"LIMIT {NotificationSequencer.Batch})", StringComparison.Ordinal));
        Assert.All(plans, p =>
        {
            Assert.True(p.Custom == 0, $"{p.Custom} plans made for the values of: {p.Statement}");
            Assert.True(p.Generic >= 1, $"no plan kept for: {p.Statement}");
        });
    }

    /// <summary>Holds a transaction at its commit until <see cref="Release"/>: the writer has done everything else.</summary>
    private sealed class HoldAtCommit : DbTransactionInterceptor
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Release() => _released.TrySetResult();

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            _reached.TrySetResult();
            await _released.Task;
            return result;
        }
    }

    [Fact]
    public async Task A_writer_whose_transaction_is_still_open_holds_no_other_writer_back_and_gets_a_later_place()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()))).Case;
        var hold = new HoldAtCommit();
        var connection = intake.Service.Services.GetRequiredService<IConfiguration>().GetConnectionString(IntakeModule.ConnectionName);
        await using var db = new IntakeDbContext(new DbContextOptionsBuilder<IntakeDbContext>().UseNpgsql(connection).AddInterceptors(hold).Options);
        var services = intake.Service.Services;
        var store = new CaseStore(db, services.GetRequiredService<OutboxSignal<IntakeDbContext>>(), services.GetRequiredService<NotificationSignal>(), services.GetRequiredService<GenericPlans>());

        // A writer raises a notification through the same commit as every handler, and stops just before its commit.
        var held = await db.Cases.SingleAsync(c => c.CaseId == Guid.Parse(registered.CaseId));
        db.RaiseNotification(held, Registry.Intake.Domain.NotificationKind.StatusChange, "held open", DateTimeOffset.UtcNow);
        var heldNotification = db.ChangeTracker.Entries<Registry.Intake.Domain.IcrcNotification>().Single().Entity;
        var committing = store.CommitAsync(CancellationToken.None);
        try
        {
            await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));

            // Meanwhile another writer registers, within a generous bound (a shared row would keep it waiting until the held commit).
            var other = (await intake.Client.RegisterCaptureAsync(
                ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()), deadline: DateTime.UtcNow.AddSeconds(30))).Case;
            var otherCase = Guid.Parse(other.CaseId);
            var otherPlace = await PlaceWhenGivenAsync(n => n.CaseId == otherCase, "the other registration's notification to get its place while the held one is open");
            Assert.False(committing.IsCompleted);

            hold.Release();
            await committing;
            var heldPlace = await PlaceWhenGivenAsync(n => n.Id == heldNotification.Id, "the held notification to get its place once committed");
            // Written earlier (a smaller id), committed later: its place comes after, as a reader that passed the other's needs.
            Assert.True(heldNotification.Id < await intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == otherCase).Select(n => n.Id).SingleAsync()));
            Assert.True(heldPlace > otherPlace, $"held {heldPlace}, other {otherPlace}");
        }
        finally
        {
            hold.Release();
            await committing.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await AssertPlacesRunWithoutGapsAsync();
    }

    /// <summary>The transactions (PostgreSQL's xmin) that wrote the row versions of one registration's rows.</summary>
    public sealed record RowVersions(string Assertion, string Notification, string Body, bool Acknowledged);

    /// <summary>
    /// Neither the place nor the acknowledgement can be a HOT update, so each writes a new version of the notification's
    /// row; its summary and payload, in a table of their own (IcrcNotificationConfiguration), stay the version the
    /// registration inserted: PostgreSQL's xmin names the transaction that wrote a row version, and the body's is the
    /// registration's (that of its identity assertions, which nothing updates).
    /// </summary>
    [Fact]
    public async Task Placing_and_acknowledging_a_notification_rewrite_its_narrow_row_but_never_its_body()
    {
        var caseId = (await intake.Client.RegisterCaptureAsync(ConcurrencyTests.Person(ConcurrencyTests.Word(), ConcurrencyTests.Word()))).Case.CaseId;
        var id = Guid.Parse(caseId);
        var place = await PlaceWhenGivenAsync(n => n.CaseId == id, "the registration's notification to get its place");
        await intake.Client.AcknowledgeNotificationsAsync(new AcknowledgeNotificationsRequest { Cursor = NotificationCursor.Format(place) });

        var versions = await intake.QueryAsync(db => db.Database.SqlQuery<RowVersions>($"""
            SELECT (SELECT min(a.xmin::text) FROM identity_assertions a WHERE a."CaseId" = n."CaseId") AS "Assertion",
                   n.xmin::text AS "Notification", b.xmin::text AS "Body", n."AcknowledgedAt" IS NOT NULL AS "Acknowledged"
            FROM notifications n JOIN notification_bodies b ON b."Id" = n."Id"
            WHERE n."CaseId" = {id}
            """).SingleAsync());
        Assert.True(versions.Acknowledged);
        Assert.Equal(versions.Assertion, versions.Body);
        Assert.NotEqual(versions.Assertion, versions.Notification);
        var read = await intake.QueryAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.CaseId == id));
        Assert.Contains(caseId, read.Payload, StringComparison.Ordinal);
        Assert.StartsWith("Registered:", read.Summary, StringComparison.Ordinal);
    }
}
