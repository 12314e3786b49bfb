using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Which replica of a service publishes its outbox: one at a time, so that two replicas never publish one row at once,
/// and a case's events keep their order without any row-level claim. On PostgreSQL the leader holds a session-level
/// advisory lock (<c>pg_try_advisory_lock(<see cref="LockKey"/>)</c>, scoped to the service's database) on a connection
/// of its own, outside the pool: the server releases it when that session ends (at once for a replica that dies, within
/// about 25 s for one it can no longer reach: TCP keepalives on the session), and a standby takes over at its next try
/// (the dispatcher tries every 2 s). The leader checks its session before each round and gives up the lead when it is
/// gone; a leader cut off from its database reads no rows to publish meanwhile. On SQLite (the embedded host: one
/// process) every dispatcher leads. Per replica, not shared: this state, and the outbox signal a write raises in its
/// own process (a standby's writes are published by the leader within its poll interval).
/// </summary>
public sealed class OutboxLeadership<TDb>(IServiceScopeFactory scopes, ILogger<OutboxLeadership<TDb>> logger) : IAsyncDisposable
    where TDb : DbContext
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _session;
    private bool? _onPostgres;
    private NpgsqlDataSource? _sessions;

    /// <summary>The advisory lock of <typeparamref name="TDb"/>'s outbox: a stable 64-bit number from its name (FNV-1a).</summary>
    public static long LockKey { get; } = AdvisoryLockKey.For("registry.outbox." + typeof(TDb).Name);

    /// <summary>Whether this process leads now: it holds the lock (its session still answers), or has just taken it.</summary>
    /// <exception cref="NpgsqlException">The database could not be reached (no lead either way; the caller backs off).</exception>
    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_onPostgres is null)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDb>();
                _onPostgres = db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";
                _sessions = _onPostgres.Value
                    ? new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ConnectionString)
                        .OnlyWithinTraces().Build()
                    : null;
            }

            if (_onPostgres == false)
            {
                return true;
            }

            if (_session is not null)
            {
                try
                {
                    await using var alive = new NpgsqlCommand("SELECT 1", _session);
                    await alive.ExecuteScalarAsync(ct);
                    return true;
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
                {
                    logger.LogWarning(ex, "Outbox of {Store}: the session holding the lead is gone; this replica no longer publishes", typeof(TDb).Name);
                    await ReleaseAsync();
                }
            }

            var session = _sessions!.CreateConnection();
            try
            {
                await session.OpenAsync(ct);
                // The server ends the session of a leader it can no longer reach within about 25 s (TCP keepalives; the
                // defaults would wait two hours), which frees the lock for a standby.
                await using (var keepalive = new NpgsqlCommand("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3", session))
                {
                    await keepalive.ExecuteNonQueryAsync(ct);
                }

                await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", session);
                take.Parameters.AddWithValue("key", LockKey);
                if (await take.ExecuteScalarAsync(ct) is true)
                {
                    _session = session;
                    logger.LogInformation("Outbox of {Store}: this replica publishes (advisory lock {Key})", typeof(TDb).Name, LockKey);
                    return true;
                }
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }

            await session.DisposeAsync();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives up the lead (closing the session releases the lock), e.g. when the service stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await ReleaseAsync();
            if (_sessions is { } sessions)
            {
                _sessions = null;
                await sessions.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReleaseAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }
}
