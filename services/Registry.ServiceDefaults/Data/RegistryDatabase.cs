using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Health;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Data;

public static class RegistryDatabase
{
    /// <summary>
    /// Whether the context runs on PostgreSQL (its connection is Npgsql's), for the paths that differ from SQLite's on a
    /// hot path: EF Core's <c>IsNpgsql()</c> compares the provider's assembly name, read by reflection at each call (about
    /// 0.2 % of intake's CPU under registrations for each place that asked).
    /// </summary>
    public static bool IsPostgreSql(this Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database) =>
        database.GetDbConnection() is Npgsql.NpgsqlConnection;

    /// <summary>Configuration key choosing the database provider: <c>Postgres</c> (default) or <c>Sqlite</c>.</summary>
    public const string ProviderKey = "Database:Provider";

    /// <summary>Whether <paramref name="configuration"/> chooses PostgreSQL (<see cref="ProviderKey"/> unset or <c>Postgres</c>).</summary>
    public static bool UsesPostgres(IConfiguration configuration) =>
        string.Equals(configuration[ProviderKey] ?? "Postgres", "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Configuration key: whether the service applies its migrations when it starts (true, the default: one process,
    /// compose, the embedded mode). With false (several replicas, Kubernetes) a release's migrations are applied once,
    /// by the service's <c>migrate</c> command (<see cref="Hosting.RegistryCommands"/>, a Job), and each replica waits
    /// at start, not yet listening so not ready, until its database has no pending migration; after
    /// <see cref="SchemaWaitKey"/> it gives up and exits non-zero.
    /// </summary>
    public const string MigrateAtStartKey = "Database:MigrateAtStart";

    /// <summary>Configuration key: how long a replica that does not migrate waits for the schema (TimeSpan, 5 minutes by default).</summary>
    public const string SchemaWaitKey = "Database:SchemaWait";

    /// <summary>
    /// How many idle contexts each service keeps for reuse (EF Core's context pooling,
    /// https://learn.microsoft.com/ef/core/performance/advanced-performance-topics#dbcontext-pooling). A context is
    /// taken from the pool for each scope (a call, a consumed message, a background round) and reset when the scope
    /// ends: its tracked entities, transaction, savepoint and command-timeout settings go; its internal services, built
    /// once, stay. Without the pool every call built them again, about 5 % of intake's CPU for a registration (the
    /// registration, the access audit's group commit, the feed's sequencer and the outbox each took a new context;
    /// docs/performance.md, "Contexts from a pool"). The contexts hold no state of their own, which pooling requires.
    /// More scopes at once than this still get a context, one that is not kept afterwards.
    /// </summary>
    public const int ContextPoolSize = 256;

    /// <summary>
    /// The service's own database (ConnectionStrings:<paramref name="connectionName"/>), its readiness
    /// check, and its migrations applied at start-up. PostgreSQL in production; SQLite for the
    /// embedded mode, through <typeparamref name="TSqliteDb"/>, a subclass that carries its own
    /// migrations (EF Core migrations are provider-specific). Services always ask for
    /// <typeparamref name="TDb"/>.
    /// </summary>
    public static IHostApplicationBuilder AddRegistryDatabase<TDb, TSqliteDb>(this IHostApplicationBuilder builder, string connectionName)
        where TDb : DbContext
        where TSqliteDb : TDb
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidConfigurationException(
                $"ConnectionStrings:{connectionName} is not set; deploy/local-servers.sh prints the local settings.");
        var provider = builder.Configuration[ProviderKey] ?? "Postgres";
        switch (provider.ToLowerInvariant())
        {
            case "postgres":
                EnsureCallsEndBeforePoolWait(builder.Configuration, connectionName, connectionString);
                var environmentOptions = Environment.GetEnvironmentVariable("PGOPTIONS");
                var sessions = connectionString;
                if (builder.Configuration.GetValue(SessionJitOffKey, true))
                {
                    sessions = WithJitOff(sessions, environmentOptions);
                }

                if (builder.Configuration.GetValue(PreparedStatementsKey, true))
                {
                    sessions = WithPreparedStatements(sessions, environmentOptions);
                }

                // The sessions' data source traces statements only inside a trace (DatabaseSpans). Built from a data source, EF
                // Core's connection string would lose its password (Persist Security Info is off by default), which the outbox
                // leader's own session and the tests read from it: kept, as it was when EF Core held the string itself.
                sessions = new Npgsql.NpgsqlConnectionStringBuilder(sessions) { PersistSecurityInfo = true }.ConnectionString;
                builder.Services.AddDbContextPool<TDb>(
                    o => HandledFailures(o.UseNpgsql(sessions, npgsql => npgsql.ConfigureDataSource(sources => sources.OnlyWithinTraces()))), ContextPoolSize);
                builder.Services.AddSingleton(new GenericPlans(builder.Configuration.GetValue(GenericPlansInWritesKey, true)));
                break;
            case "sqlite":
                EnsureDirectory(connectionString);
                SqliteSessions.ReserveThreads();
                builder.Services.AddDbContextPool<TSqliteDb>(o => HandledFailures(o.UseSqlite(connectionString)).AddInterceptors(SqliteSessions.Instance), ContextPoolSize);
                builder.Services.AddScoped<TDb>(sp => sp.GetRequiredService<TSqliteDb>());
                builder.Services.AddSingleton(new GenericPlans(enabled: false));
                break;
            default:
                throw new InvalidConfigurationException($"{ProviderKey} must be Postgres or Sqlite, not '{provider}'.");
        }

        builder.Services.AddHealthChecks().AddDbContextCheck<TDb>($"{connectionName.ToLowerInvariant()}-database", tags: [RegistryHealth.Ready]);
        builder.Services.AddSingleton<IDatabaseMigration, Migration<TDb>>();
        builder.Services.AddHostedService<MigrateDatabase<TDb>>();
        return builder;
    }

    /// <summary>
    /// EF Core logs a statement that failed (<c>RelationalEventId.CommandError</c>), a save that failed
    /// (<c>CoreEventId.SaveChangesFailed</c>) and a commit or rollback that failed (<c>RelationalEventId.TransactionError</c>)
    /// at Error, before the exception reaches the code that asked for them. Here they are logged at Information: the registry
    /// handles the failures it expects (a lost race run again, a registration's retry failing on its request id's unique
    /// index and replayed, <see cref="IdempotentWrite{TPrior,TResponse}.LookUpOnlyAfterFailure"/>, a call whose caller gave up
    /// or whose deadline passed just before its commit), which are routine and would otherwise put Error lines in the log for
    /// each (a search at a million cases whose deadline passed as it committed logged "fail: An error occurred using a
    /// transaction"), and it logs those it does not expect
    /// where it meets them: a call's as a warning with the exception (<see cref="Grpc.ExceptionMappingInterceptor"/>), the
    /// background services' as warnings, a consumer's through MassTransit's fault logging.
    /// </summary>
    public static DbContextOptionsBuilder HandledFailures(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log(
            (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError, LogLevel.Information),
            (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.SaveChangesFailed, LogLevel.Information),
            (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.TransactionError, LogLevel.Information)));

    /// <summary>
    /// A call waiting for a free session must get one before its wait runs out even when stuck calls hold
    /// every session: so no call may hold one as long as the pool makes others wait (Npgsql's <c>Timeout</c>,
    /// 15 s unless the connection string says otherwise); bulk calls, which may run longer, are fewer at once than the
    /// pool has sessions (<see cref="Grpc.GrpcCallOptions.MaxConcurrentBulkCalls"/>). The service refuses to start otherwise.
    /// </summary>
    public static void EnsureCallsEndBeforePoolWait(IConfiguration configuration, string connectionName, string connectionString)
    {
        var calls = Grpc.GrpcCallOptions.From(configuration);
        var bound = calls.MaxUnaryCallTimeout;
        var pool = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var poolWait = TimeSpan.FromSeconds(pool.Timeout);
        // Bulk calls may run longer than the wait, but only a few at once (BulkCallSlots): they must leave sessions free.
        if (calls.MaxConcurrentBulkCalls >= pool.MaxPoolSize)
        {
            throw new InvalidConfigurationException(
                $"{Grpc.GrpcCallOptions.Section}:{nameof(Grpc.GrpcCallOptions.MaxConcurrentBulkCalls)} ({calls.MaxConcurrentBulkCalls}) must be below the " +
                $"database pool's size (Maximum Pool Size={pool.MaxPoolSize} in ConnectionStrings:{connectionName}): bulk calls run up to " +
                $"{nameof(Grpc.GrpcCallOptions.BulkCallTimeout)} and must never hold every session.");
        }

        if (bound >= poolWait)
        {
            throw new InvalidConfigurationException(
                $"{Grpc.GrpcCallOptions.Section}:{nameof(Grpc.GrpcCallOptions.MaxUnaryCallTimeout)} ({bound}) must be shorter than the wait for a free " +
                $"database session (Timeout={poolWait.TotalSeconds:0} s in ConnectionStrings:{connectionName}): calls stuck that long could keep the pool " +
                "full and make every other call fail. Shorten the bound or raise Timeout.");
        }
    }

    /// <summary>Configuration key: whether the service's PostgreSQL sessions open with JIT off (<see cref="WithJitOff"/>); true by default.</summary>
    public const string SessionJitOffKey = "Database:SessionJitOff";

    /// <summary>
    /// <paramref name="connectionString"/> with PostgreSQL's JIT compilation off for the session (<c>-c jit=off</c> added
    /// to Npgsql's <c>Options</c>; the server's <c>jit</c> setting, https://www.postgresql.org/docs/current/jit-decision.html),
    /// unless the options already set <c>jit</c> (then it is returned as it is). The options start from the connection
    /// string's <c>Options</c>, or else from <paramref name="environmentOptions"/> (the <c>PGOPTIONS</c> environment
    /// variable, which Npgsql reads only when the connection string has no <c>Options</c>: it is carried over, not lost).
    /// The services' statements are short and indexed: none gains from JIT, and the one that reads a bulk import's blocks
    /// (a hundred UNION ALL parts) passed <c>jit_above_cost</c> once the registry held about 150,000 cases and then
    /// compiled for 20 CPU-seconds to run for 0.4 (measured at 181,000 cases: docs/performance.md, "The cliff at 150,000
    /// cases: PostgreSQL's JIT"). Behind a pooler that refuses startup options (PgBouncer unless
    /// <c>ignore_startup_parameters</c> lists <c>options</c>), set <see cref="SessionJitOffKey"/> false and
    /// <c>ALTER DATABASE … SET jit = off</c> instead.
    /// </summary>
    public static string WithJitOff(string connectionString, string? environmentOptions = null) =>
        WithSessionSetting(connectionString, environmentOptions, "jit", "off");

    /// <summary>
    /// Configuration key: whether writes that read rows by key, and the consumers' and the access audit's batches of INSERTs,
    /// plan their statements once per session (<see cref="GenericPlans"/>); true by default. False keeps every statement
    /// planned for its values (the sessions' <c>plan_cache_mode</c>).
    /// </summary>
    public const string GenericPlansInWritesKey = "Database:GenericPlansInWrites";

    /// <summary>Configuration key: whether the service's PostgreSQL sessions prepare their statements (<see cref="WithPreparedStatements"/>); true by default.</summary>
    public const string PreparedStatementsKey = "Database:PreparedStatements";

    /// <summary>How many statements each session keeps prepared (Npgsql's <c>Max Auto Prepare</c>) unless the connection string says.</summary>
    public const int AutoPreparedStatements = 100;

    /// <summary>
    /// <paramref name="connectionString"/> with Npgsql's automatic preparation on (<c>Max Auto Prepare</c>
    /// <see cref="AutoPreparedStatements"/> unless the connection string sets a non-zero value: 0, Npgsql's default, counts
    /// as unset, and <see cref="PreparedStatementsKey"/> false turns preparation off; a statement is prepared on its fifth use,
    /// https://www.npgsql.org/doc/prepare.html), no session reset when a connection goes back to the pool
    /// (<c>No Reset On Close</c>: the services set no session state, and the reset, run on every return to the pool, cost
    /// PostgreSQL more than a registration's inserts), and <c>-c plan_cache_mode=force_custom_plan</c> added to the
    /// options (unless they set <c>plan_cache_mode</c>; options carried over from <paramref name="environmentOptions"/> as
    /// in <see cref="WithJitOff"/>). A prepared statement is parsed and analysed once, but still planned for each
    /// execution's values: PostgreSQL's generic plan of the registration's blocking statement (EF Core's
    /// <c>= ANY($n) OR (… IS NULL AND array_position($n, NULL) IS NOT NULL)</c>) reads every case of a birth-year range
    /// where the custom plan reads one block (docs/performance.md, "Tiered compilation and prepared statements"). Writes that
    /// look rows up by key, and batches of INSERTs, plan once per session instead, inside their transaction (<see cref="GenericPlans"/>). Measured: PostgreSQL's CPU per
    /// registration 11.5-12.9 ms unprepared, 7.6-9.4 prepared. Behind a pooler that refuses startup options or cannot keep
    /// prepared statements (PgBouncer in transaction mode before 1.21) set <see cref="PreparedStatementsKey"/> false. A
    /// migration that changes the type of a column a prepared statement returns makes that statement fail once in each
    /// session (SQLSTATE 0A000, "cached plan must not change result type"); Npgsql then prepares it again.
    /// </summary>
    public static string WithPreparedStatements(string connectionString, string? environmentOptions = null)
    {
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (npgsql.MaxAutoPrepare == 0)
        {
            npgsql.MaxAutoPrepare = AutoPreparedStatements;
        }

        npgsql.NoResetOnClose = true;
        return WithSessionSetting(npgsql.ConnectionString, environmentOptions, "plan_cache_mode", "force_custom_plan");
    }

    /// <summary>
    /// <paramref name="connectionString"/> with <c>-c name=value</c> added to Npgsql's <c>Options</c>, which start from the
    /// connection string's or else from <paramref name="environmentOptions"/> (PGOPTIONS); unchanged when the options
    /// already set <paramref name="name"/> itself (<c>-c name=…</c>, <c>-cname=…</c>, <c>--name=…</c>; not another setting
    /// whose name or value merely contains it).
    /// </summary>
    private static string WithSessionSetting(string connectionString, string? environmentOptions, string name, string value)
    {
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var options = string.IsNullOrWhiteSpace(npgsql.Options) ? environmentOptions : npgsql.Options;
        if (options is not null && System.Text.RegularExpressions.Regex.IsMatch(options,
                $@"(^|\s)(-c\s*|--){System.Text.RegularExpressions.Regex.Escape(name)}\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            return connectionString;
        }

        npgsql.Options = string.IsNullOrWhiteSpace(options) ? $"-c {name}={value}" : $"{options} -c {name}={value}";
        return npgsql.ConnectionString;
    }

    private static void EnsureDirectory(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>
    /// Before the service takes traffic: with <see cref="MigrateAtStartKey"/> (default) brings the schema up to date
    /// (one replica at a time: <see cref="Migration{TDb}"/>); without it, waits until the <c>migrate</c> command has done so.
    /// </summary>
    private sealed class MigrateDatabase<TDb>(IServiceProvider services, IConfiguration configuration, ILogger<MigrateDatabase<TDb>> logger) : IHostedService
        where TDb : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var migration = services.GetServices<IDatabaseMigration>().OfType<Migration<TDb>>().Single();
            if (configuration.GetValue(MigrateAtStartKey, true))
            {
                await migration.ApplyAsync(logger, cancellationToken);
                return;
            }

            var wait = Hosting.DurationSetting.Positive(configuration.GetSection("Database"), "SchemaWait", TimeSpan.FromMinutes(5));
            var until = DateTime.UtcNow + wait;
            while (true)
            {
                var pending = await migration.PendingAsync(logger, cancellationToken);
                if (pending.Count == 0)
                {
                    return;
                }

                if (DateTime.UtcNow >= until)
                {
                    throw new InvalidOperationException(
                        $"The database of {typeof(TDb).Name} still has {pending.Count} pending migration(s) after {wait} ({string.Join(", ", pending)}); " +
                        $"run the service's migrate command (the release's migration Job), or set {MigrateAtStartKey}=true.");
                }

                logger.LogWarning("Waiting for the migrations of {Store} ({Pending}): {MigrateAtStart} is false, so the release's migrate command applies them",
                    typeof(TDb).Name, string.Join(", ", pending), MigrateAtStartKey);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// One store's migrations, applied or counted with retries while its database is not yet reachable. On PostgreSQL they
    /// are applied under a session advisory lock (<see cref="LockKey"/>), so replicas that start together migrate one after
    /// another and the later ones find nothing pending: EF Core's own lock (a <c>LOCK TABLE</c> of the history table) does
    /// not cover a fresh database, where two replicas both read an empty history and both ran the first migration
    /// (<c>42701: column "LatinNameKey" of relation "cases" already exists</c>, then a retry).
    /// </summary>
    private sealed class Migration<TDb>(IServiceScopeFactory scopes) : IDatabaseMigration
        where TDb : DbContext
    {
        /// <summary>How long a replica waits for another's migrations before its attempt fails (and is retried).</summary>
        private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(10);

        /// <summary>The advisory lock held while migrating <typeparamref name="TDb"/>'s database.</summary>
        public static long LockKey { get; } = AdvisoryLockKey.For("registry.migrations." + typeof(TDb).Name);

        public string Store => typeof(TDb).Name;

        public Task ApplyAsync(ILogger logger, CancellationToken cancellationToken) =>
            WithRetriesAsync(logger, async db =>
            {
                if (!db.Database.IsNpgsql())
                {
                    await db.Database.MigrateAsync(cancellationToken);
                    return 0;
                }

                // EF Core keeps a connection it did not open, so the lock's session is the one that migrates. The lock is
                // released explicitly, failure included: the pool returns sessions without a reset (No Reset On Close), so
                // a session given back still holding it would stall every replica's next attempt until the pool pruned it.
                await db.Database.OpenConnectionAsync(cancellationToken);
                var locked = false;
                try
                {
                    db.Database.SetCommandTimeout(LockWait);
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
                    locked = true;
                    db.Database.SetCommandTimeout(null);
                    await db.Database.MigrateAsync(cancellationToken);
                    return 0;
                }
                finally
                {
                    if (locked)
                    {
                        try
                        {
                            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
                        }
                        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
                        {
                            // A broken session holds nothing: the server released its locks when it ended.
                            logger.LogWarning("Could not release the migration lock of {Store}: {Error}", Store, ex.Message);
                        }
                    }

                    await db.Database.CloseConnectionAsync();
                }
            }, cancellationToken);

        public Task<IReadOnlyList<string>> PendingAsync(ILogger logger, CancellationToken cancellationToken) =>
            WithRetriesAsync<IReadOnlyList<string>>(logger, async db => [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)], cancellationToken);

        private async Task<T> WithRetriesAsync<T>(ILogger logger, Func<TDb, Task<T>> work, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    return await work(scope.ServiceProvider.GetRequiredService<TDb>());
                }
                catch (Exception ex) when (attempt < 30 && ex is not OperationCanceledException)
                {
                    logger.LogWarning("Database of {Store} not reachable for migration (attempt {Attempt}): {Error}", Store, attempt, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
            }
        }
    }
}

/// <summary>A store's migrations, as the <c>migrate</c> command applies them (<see cref="Hosting.RegistryCommands"/>).</summary>
public interface IDatabaseMigration
{
    /// <summary>The store's DbContext type name.</summary>
    string Store { get; }

    /// <summary>Applies the pending migrations; retries for about a minute while the database is not reachable.</summary>
    Task ApplyAsync(ILogger logger, CancellationToken cancellationToken);

    /// <summary>The migrations not yet applied, by id.</summary>
    Task<IReadOnlyList<string>> PendingAsync(ILogger logger, CancellationToken cancellationToken);
}
