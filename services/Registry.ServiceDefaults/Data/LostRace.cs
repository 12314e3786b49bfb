using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Read-check-write under concurrency. A handler reads a record, checks a rule against it and writes; what
/// it read is guarded at the write (a concurrency token on the row that changes, the revision of the record
/// the change depends on, or a unique index), so a writer that got in between makes the save fail. Such a
/// failure is a lost race, not a fault: the whole read-check-write runs again from the read, and the loser
/// gets the answer it would have got had it come second (the rule that now refuses, a stale revision, or
/// success on what is left, e.g. the next capture card owed) — never INTERNAL or UNAVAILABLE.
/// </summary>
public static class LostRace
{
    /// <summary>How many times a read-check-write runs before the caller is told to retry (ABORTED, CONCURRENT_CHANGE).</summary>
    public const int MaxAttempts = 10;

    /// <summary>
    /// Whether <paramref name="ex"/> says a concurrent writer got in first: a concurrency token that no longer
    /// matched (<see cref="DbUpdateConcurrencyException"/>; on SQLite too, where EF Core checks the rows the
    /// UPDATE touched), a unique or primary key taken meanwhile (PostgreSQL 23505; SQLite constraint 2067/1555),
    /// or a transaction PostgreSQL rolled back to break a deadlock or a serialization conflict (40P01, 40001).
    /// Nothing of the failed attempt was committed in any of these cases.
    /// </summary>
    public static bool Is(Exception ex) => ex switch
    {
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: { } inner } => IsConflict(inner),
        _ => IsConflict(ex),
    };

    private static bool IsConflict(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => true,
        // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY.
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } => true,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="attempt"/> (the whole read-check-write, reading afresh) until it commits or fails
    /// for another reason than a lost race; between attempts the context forgets what the lost one tracked.
    /// After <see cref="MaxAttempts"/> lost races the caller gets ABORTED with <c>CONCURRENT_CHANGE</c>
    /// (<see cref="RpcErrors.Contended"/>) naming <paramref name="resourceType"/> and <paramref name="subject"/>.
    /// Each lost race means another writer committed, so the attempts make progress.
    /// </summary>
    public static async Task<T> RetryAsync<T>(
        DbContext db, string resourceType, string subject, Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(ct);
            }
            catch (Exception ex) when (Is(ex) && n < MaxAttempts)
            {
                db.ChangeTracker.Clear();
                // Spread writers that collided, so that they do not collide again.
                await Task.Delay(Random.Shared.Next(1, 5 * n), ct);
            }
            catch (Exception ex) when (Is(ex))
            {
                db.ChangeTracker.Clear();
                throw RpcErrors.Contended(resourceType, subject, $"{subject} is being changed by other requests; retry.");
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> (a read-check-write of one record, reading afresh) until its save is not refused
    /// on a concurrency token (<see cref="DbUpdateConcurrencyException"/>: the record's version moved since it was read),
    /// spreading the retries of writers that collided; after <paramref name="maxAttempts"/> such refusals, ABORTED with
    /// <c>CONCURRENT_CHANGE</c>. Unlike <see cref="RetryAsync{T}"/> a unique violation is not retried: inside an
    /// <see cref="IdempotentWrite{TPrior, TResponse}"/> it is the same request_id committed by a concurrent call, whose
    /// answer that write replays.
    /// </summary>
    public static async Task<T> RetryOnVersionAsync<T>(
        DbContext db, string resourceType, string subject, Func<CancellationToken, Task<T>> attempt, CancellationToken ct, int maxAttempts = 20)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(ct);
            }
            catch (DbUpdateConcurrencyException) when (n < maxAttempts)
            {
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(5, 20 * n), ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                throw RpcErrors.Contended(resourceType, subject, $"{subject} is being changed by other requests; retry.");
            }
        }
    }
}
