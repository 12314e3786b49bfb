using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Registry.Intake.Data;
using Registry.Intake.Features.Notifications;

namespace Registry.Load;

/// <summary>
/// PostgreSQL's own rate for the rows an import wrote, the yardstick of the bulk path (issue 15: "each also printed
/// as a fraction of PostgreSQL COPY of the same rows into the same tables on the same machine"). It creates a new
/// database next to intake's (<c>&lt;intake database&gt;_copy</c>, dropped again at the end), applies intake's own EF
/// Core migrations to it (the same tables, indexes, constraints and extensions as the service's), and for every
/// table of that schema with a <c>CaseId</c> column (cases, identity assertions, status changes, capture cards,
/// notifications, duplicate candidates, and whatever a later migration adds), an <c>OrderingKey</c> (the outbox:
/// the case's id), or the notifications' bodies (by their notifications' ids) takes the rows of the imported cases: <c>COPY (SELECT …) TO STDOUT (FORMAT binary)</c> from intake
/// into a file first, then — the only part timed — <c>COPY … FROM STDIN (FORMAT binary)</c> into the new database, one
/// table after the other, each COPY its own transaction. Tables without such a column (the feed's counter, the
/// inbox, the access audit: one row per call, not per case) are left out and named. With <c>prefill</c> the new
/// database first receives (untimed) every other row of those tables, so that the timed COPY meets tables and
/// indexes of the registry's size, as the import did.
/// </summary>
public sealed class CopyComparison(string intakeConnectionString)
{
    public sealed record Table(string Name, long Rows, long Bytes, TimeSpan CopyFrom);

    public sealed record Result(IReadOnlyList<Table> Tables, IReadOnlyList<string> LeftOut, long Cases, TimeSpan Elapsed, long PrefilledRows, TimeSpan Prefill)
    {
        public double CasesPerSecond => Elapsed.TotalSeconds > 0 ? Cases / Elapsed.TotalSeconds : 0;
        public long Rows => Tables.Sum(t => t.Rows);
    }

    /// <summary>Runs the comparison for the cases <paramref name="caseIds"/> (those the import created); the new database is dropped at the end.</summary>
    public async Task<Result> RunAsync(IReadOnlyCollection<Guid> caseIds, bool prefill, Action<string> log)
    {
        var source = new NpgsqlConnectionStringBuilder(intakeConnectionString) { CommandTimeout = 0 };
        var targetName = Truncate($"{source.Database}_copy", 63);
        var target = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Database = targetName };
        var maintenance = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Database = "postgres", Pooling = false };
        await DropAsync(maintenance.ConnectionString, targetName);
        await ExecuteAsync(maintenance.ConnectionString, $"CREATE DATABASE \"{targetName}\"");
        var files = new List<string>();
        try
        {
            await using (var db = new IntakeDbContext(new DbContextOptionsBuilder<IntakeDbContext>().UseNpgsql(target.ConnectionString).Options))
            {
                await db.Database.MigrateAsync();
            }

            log($"  copy: {targetName} created with intake's migrations; exporting the rows of {caseIds.Count} imported cases");
            await using var from = new NpgsqlConnection(source.ConnectionString);
            await from.OpenAsync();
            await using var to = new NpgsqlConnection(target.ConnectionString);
            await to.OpenAsync();
            var columns = await ColumnsAsync(to);

            // The imported cases' ids, in a temporary table of the source session, to select their rows by.
            await ExecuteAsync(from, "CREATE TEMPORARY TABLE copy_cases (id uuid PRIMARY KEY)");
            await using (var writer = await from.BeginBinaryImportAsync("COPY copy_cases (id) FROM STDIN (FORMAT binary)"))
            {
                foreach (var id in caseIds.Distinct())
                {
                    await writer.WriteRowAsync(default, id);
                }

                await writer.CompleteAsync();
            }

            await ExecuteAsync(from, "ANALYZE copy_cases");
            var selected = new List<(string Table, string ColumnList, string Predicate)>();
            var leftOut = new List<string>();
            foreach (var (table, names) in columns)
            {
                var predicate = names.Contains("CaseId") ? "\"CaseId\" IN (SELECT id FROM copy_cases)"
                    : names.Contains("OrderingKey") ? "\"OrderingKey\" IN (SELECT id::text FROM copy_cases)"
                    : table == IcrcNotificationConfiguration.BodiesTable
                        ? "\"Id\" IN (SELECT \"Id\" FROM notifications WHERE \"CaseId\" IN (SELECT id FROM copy_cases))"
                    : null;
                if (predicate is null)
                {
                    leftOut.Add(table);
                    continue;
                }

                selected.Add((table, string.Join(", ", names.Select(n => $"\"{n}\"")), predicate));
            }

            // Cases first: the other tables refer to them (by value today; a foreign key would need this order). The
            // notifications' bodies last: their foreign key refers to the notifications.
            selected.Sort((a, b) => Rank(a.Table).CompareTo(Rank(b.Table)));

            long prefilled = 0;
            var prefillClock = Stopwatch.StartNew();
            if (prefill)
            {
                foreach (var (table, list, predicate) in selected)
                {
                    var rows = await CountAsync(from, $"SELECT count(*) FROM \"{table}\" WHERE NOT ({predicate})");
                    log($"  copy: prefilling {table} with the registry's other {rows} rows (untimed)");
                    await using var export = await from.BeginRawBinaryCopyAsync($"COPY (SELECT {list} FROM \"{table}\" WHERE NOT ({predicate})) TO STDOUT (FORMAT binary)");
                    await using var import = await to.BeginRawBinaryCopyAsync($"COPY \"{table}\" ({list}) FROM STDIN (FORMAT binary)");
                    await export.CopyToAsync(import);
                    prefilled += rows;
                }

                await ExecuteAsync(to, "ANALYZE");
            }

            prefillClock.Stop();
            var exported = new List<(string Table, string ColumnList, string File, long Rows)>();
            foreach (var (table, list, predicate) in selected)
            {
                var file = Path.Combine(Path.GetTempPath(), $"registry-load-copy-{Environment.ProcessId}-{table}.bin");
                files.Add(file);
                await using (var export = await from.BeginRawBinaryCopyAsync($"COPY (SELECT {list} FROM \"{table}\" WHERE {predicate}) TO STDOUT (FORMAT binary)"))
                await using (var output = File.Create(file))
                {
                    await export.CopyToAsync(output);
                }

                exported.Add((table, list, file, await CountAsync(from, $"SELECT count(*) FROM \"{table}\" WHERE {predicate}")));
            }

            // Timed: COPY FROM of each table in turn, the file already in the page cache (it was just written).
            var tables = new List<Table>();
            var total = Stopwatch.StartNew();
            foreach (var (table, list, file, rows) in exported)
            {
                var clock = Stopwatch.StartNew();
                await using (var input = File.OpenRead(file))
                await using (var import = await to.BeginRawBinaryCopyAsync($"COPY \"{table}\" ({list}) FROM STDIN (FORMAT binary)"))
                {
                    await input.CopyToAsync(import);
                }

                tables.Add(new Table(table, rows, new FileInfo(file).Length, clock.Elapsed));
            }

            total.Stop();
            var cases = tables.FirstOrDefault(t => t.Name == "cases")?.Rows ?? 0;
            return new Result(tables, leftOut, cases, total.Elapsed, prefilled, prefill ? prefillClock.Elapsed : TimeSpan.Zero);
        }
        finally
        {
            foreach (var file in files)
            {
                File.Delete(file);
            }

            NpgsqlConnection.ClearAllPools();
            try
            {
                await DropAsync(maintenance.ConnectionString, targetName);
            }
            catch (NpgsqlException ex)
            {
                // Never in place of the comparison's result (or of the error that ended it).
                log($"  copy: could not drop {targetName} ({(ex as PostgresException)?.SqlState ?? "connection"}: {ex.Message}); drop it by hand");
            }
        }
    }

    /// <summary>
    /// Drops <paramref name="database"/> if it exists. Without <c>FORCE</c> first: PostgreSQL then ends the autovacuum workers
    /// busy in it (after gigabytes of COPY there are some), which <c>FORCE</c> may not do for a role that is not a superuser
    /// or a member of <c>pg_signal_backend</c> (42501: it would have to terminate them as another role). A session of ours
    /// still closing (55006, "being accessed by other users") is waited for a few times, then ended with <c>FORCE</c>.
    /// </summary>
    private static async Task DropAsync(string maintenance, string database)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(maintenance, $"DROP DATABASE IF EXISTS \"{database}\"");
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                await ExecuteAsync(maintenance, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
                return;
            }
        }
    }

    private static int Rank(string table) => table == "cases" ? 0 : table == IcrcNotificationConfiguration.BodiesTable ? 2 : 1;

    /// <summary>Every table of the public schema (but EF's history) with the columns COPY may write, in table order.</summary>
    private static async Task<List<(string Table, List<string> Columns)>> ColumnsAsync(NpgsqlConnection connection)
    {
        var result = new List<(string, List<string>)>();
        await using var command = new NpgsqlCommand(
            """
            SELECT c.relname, a.attname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__EFMigrationsHistory'
            ORDER BY c.relname, a.attnum
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (result.Count == 0 || result[^1].Item1 != table)
            {
                result.Add((table, []));
            }

            result[^1].Item2.Add(reader.GetString(1));
        }

        return result;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static string Truncate(string name, int length) => name.Length <= length ? name : name[..length];
}
