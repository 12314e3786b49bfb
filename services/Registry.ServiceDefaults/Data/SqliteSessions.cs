using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// What keeps writers racing on one SQLite file (the embedded mode) from waiting seconds for each other. EF Core
/// creates the files in write-ahead-log mode (https://sqlite.org/wal.html), so readers and the writer do not wait for
/// each other; writers still take turns.
/// <list type="bullet">
/// <item><c>PRAGMA busy_timeout</c> (<see cref="BusyTimeoutMilliseconds"/>, https://sqlite.org/pragma.html#pragma_busy_timeout),
/// set on every connection opened: a writer that finds the write lock taken is woken by SQLite itself within
/// milliseconds of its release. Without it Microsoft.Data.Sqlite retries the statement after sleeping 150 ms each time
/// (https://learn.microsoft.com/dotnet/standard/data/sqlite/database-errors), until the command timeout (30 s), which
/// still applies past the busy timeout; the call's bound (Grpc:UnaryCallTimeout) ends the call first.</item>
/// <item>Worker threads (<see cref="ReserveThreads"/>): Microsoft.Data.Sqlite runs every statement synchronously, so a
/// writer waiting for the lock holds a thread-pool thread. With ten such waiters on two cores the pool had no thread
/// left for the continuation of the transaction that held the lock, and grew by about one thread a second: ten callers
/// issuing one capture card took up to 7.4 s a call on a quiet machine, and one ran into the 10 s call bound in CI.
/// With the pool's minimum at <see cref="MinWorkerThreads"/> the slowest of 80 such calls took 0.8 s.</item>
/// </list>
/// </summary>
public sealed class SqliteSessions : DbConnectionInterceptor
{
    /// <summary>How long SQLite waits for a lock before it answers SQLITE_BUSY, in milliseconds.</summary>
    public const int BusyTimeoutMilliseconds = 5_000;

    private static readonly string Settings = $"PRAGMA busy_timeout={BusyTimeoutMilliseconds};";

    /// <summary>The fewest worker threads the thread pool keeps ready in a process that serves from SQLite.</summary>
    public const int MinWorkerThreads = 64;

    public static SqliteSessions Instance { get; } = new();

    /// <summary>
    /// Raises the thread pool's minimum of worker threads to <see cref="MinWorkerThreads"/> (never lowers it), so that
    /// threads blocked waiting for SQLite's write lock do not starve the one that would release it. Process-wide: call
    /// it where the process chooses SQLite.
    /// </summary>
    public static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < MinWorkerThreads)
        {
            ThreadPool.SetMinThreads(MinWorkerThreads, completionPorts);
        }
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite runs every statement synchronously; its async methods only wrap the sync ones.
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Settings;
        command.ExecuteNonQuery();
    }
}
