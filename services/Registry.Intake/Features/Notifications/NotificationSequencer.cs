using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Notifications;

/// <summary>
/// Gives the ICRC feed's notifications their places, after their writers committed, as event stores do. A writer
/// inserts its notifications without a place (<see cref="Domain.IcrcNotification.Sequence"/> null), touches no shared
/// row, commits and signals (<see cref="NotificationSignal"/>). Each round of this service then, in one short
/// transaction:
/// <list type="number">
/// <item>takes a transaction-scoped advisory lock on PostgreSQL (<c>pg_advisory_xact_lock(<see cref="LockKey"/>)</c>),
/// so the sequencers of several intake replicas never give places at the same time (the embedded mode on SQLite is one
/// process whose writes are serialised by SQLite itself, and needs none);</item>
/// <item>in one statement, gives the committed notifications without a place, up to <see cref="Batch"/> of them in
/// "Id" order, the places after the feed's high-water mark (the largest place given): hw + 1, hw + 2, …</item>
/// </list>
/// and then wakes the open feeds (<see cref="FeedSignal"/>). The feed's promise follows: a statement sees only committed
/// rows, and rounds follow one another (the lock is taken before the statement reads the high-water mark, and released
/// only once the round is visible), so every round's places come after every place a reader can already have seen,
/// without gaps: a reader resuming after a place misses nothing and gets nothing twice
/// (<see cref="StreamNotificationsHandler"/>, <see cref="AcknowledgeNotificationsHandler"/>). A notification is in the
/// feed from its round on: in the same process about a millisecond after its commit, from a writer in another process
/// within <see cref="Poll"/>. Nothing on the write path is serialised any more (before: one counter row locked by every
/// writer until its commit; docs/performance.md, "The ICRC feed's order: no global lock").
/// </summary>
public sealed class NotificationSequencer(
    IServiceScopeFactory scopes, NotificationSignal committed, FeedSignal feed, ILogger<NotificationSequencer> logger) : BackgroundService
{
    /// <summary>The most notifications one round places (a short transaction however long the backlog).</summary>
    public const int Batch = 1000;

    /// <summary>The key of the PostgreSQL advisory lock a round holds: "ICRCFEED" in ASCII, a number no other lock of the registry uses.</summary>
    public const long LockKey = 0x49_43_52_43_46_45_45_44;

    /// <summary>How often a round runs without a signal: for notifications committed by another process (a replica, a tool).</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Provider-neutral (PostgreSQL, SQLite ≥ 3.35): the high-water mark and the unplaced rows are read by the same
    // statement that places them, so from one snapshot taken after the lock. "Sequence" IS NULL is checked again on the
    // updated row, so a row placed meanwhile (which the lock rules out) would keep its place rather than get a second one.
    // The batch ({0}) is written into the text, not sent as a parameter (PlaceStatement).
    private const string PlaceSql = """
        WITH high AS (SELECT COALESCE(MAX("Sequence"), 0) AS "Last" FROM notifications),
        unplaced AS (
            SELECT "Id", ROW_NUMBER() OVER (ORDER BY "Id") AS "Place"
            FROM (SELECT "Id" FROM notifications WHERE "Sequence" IS NULL ORDER BY "Id" LIMIT {0}) AS oldest)
        UPDATE notifications SET "Sequence" = (SELECT "Last" FROM high) + unplaced."Place"
        FROM unplaced
        WHERE notifications."Id" = unplaced."Id" AND notifications."Sequence" IS NULL
        RETURNING "Sequence" AS "Value"
        """;

    // Neither statement of a round takes a parameter: the lock's key and the batch are in their text. PostgreSQL plans a
    // prepared statement without parameters once per session (plancache.c, choose_custom_plan), where with parameters,
    // under the sessions' plan_cache_mode=force_custom_plan (RegistryDatabase.WithPreparedStatements), it planned the
    // placing statement at every round: 0.50 ms, twice what running it took (docs/performance.md, "Planned once per
    // session"). Npgsql prepares each on its fifth use (Max Auto Prepare), as it would with parameters.
    private static readonly string LockSql = string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({LockKey})");

    private static readonly string PlaceBatchSql = string.Format(CultureInfo.InvariantCulture, PlaceSql, Batch);

    private static string PlaceStatement(int batch) =>
        batch == Batch ? PlaceBatchSql : string.Format(CultureInfo.InvariantCulture, PlaceSql, batch);

    /// <summary>
    /// One round: gives up to <paramref name="batch"/> committed notifications without a place their places after the
    /// high-water mark, in one transaction of its own (on <paramref name="db"/>, which must have none open). Safe to run
    /// from any number of processes at once (see the class).
    /// </summary>
    /// <returns>The places given, in no particular order (empty when every committed notification had one).</returns>
    public static async Task<IReadOnlyList<long>> PlaceAsync(IntakeDbContext db, int batch, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsPostgreSql())
        {
            await db.Database.ExecuteSqlRawAsync(LockSql, ct);
        }

        var places = await db.Database.SqlQueryRaw<long>(PlaceStatement(batch)).ToListAsync(ct);
        await transaction.CommitAsync(ct);
        return places;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var next = committed.Next; // before the round: a commit during the round starts another at once
                int placed;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var places = await PlaceAsync(scope.ServiceProvider.GetRequiredService<IntakeDbContext>(), Batch, stoppingToken);
                    placed = places.Count;
                    if (placed > 0)
                    {
                        feed.Notify();
                        logger.LogDebug("ICRC feed: places {First} to {Last} given", places.Min(), places.Max());
                    }
                }

                failures = 0;
                if (placed < Batch)
                {
                    await BroadcastSignal.WaitAsync(next, Poll, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, failures)));
                logger.LogWarning(ex, "ICRC feed: places could not be given (attempt {Failures}); trying again in {Backoff}", failures, backoff);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
