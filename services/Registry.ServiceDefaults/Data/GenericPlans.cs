using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Statements planned once per session instead of at every execution, for the rest of one transaction: PostgreSQL's
/// <c>SET LOCAL plan_cache_mode = force_generic_plan</c> (https://www.postgresql.org/docs/15/runtime-config-query.html,
/// "plan_cache_mode"; the sessions otherwise run with <c>force_custom_plan</c>, <see cref="RegistryDatabase.WithPreparedStatements"/>).
/// A prepared statement then keeps the plan built for it without parameter values, and each execution skips the
/// planner, which for a statement over a table with many indexes costs several times its execution (a registration's
/// blocking statement: 0.35-0.60 ms to plan, 0.10-0.15 to run; docs/performance.md, "Planned once per session"). Only for writes
/// whose statements are looked up by key and whose plans do not depend on the values (a key equal to a parameter or to
/// <c>= ANY($n)</c> of a parameter array, a range on an indexed column); never for searches, whose best plan depends on
/// the pattern. A <c>Contains</c> on a nullable column in such a transaction must say the column is not null first
/// (<c>c.Key != null &amp;&amp; keys.Contains(c.Key)</c>): EF Core otherwise adds <c>OR (c.Key IS NULL AND
/// array_position($n, NULL) IS NOT NULL)</c>, which a generic plan cannot fold away and answers by reading every row
/// of the other conditions' range. Nothing is done on SQLite (no plan cache), outside a transaction (SET LOCAL would
/// last for the one statement), or when the session's statements are not prepared (<c>Max Auto Prepare</c> 0,
/// <see cref="RegistryDatabase.PreparedStatementsKey"/> false: an unprepared statement would be planned generically
/// at every execution, with nothing saved).
/// </summary>
public static class GenericPlans
{
    private static readonly ConcurrentDictionary<string, bool> Prepared = new();

    /// <summary>
    /// Plans the rest of the current transaction's statements generically (see the type). One statement, sent with the
    /// transaction's deferred BEGIN; call it first in the transaction.
    /// </summary>
    public static Task UseForTransactionAsync(DatabaseFacade database, CancellationToken ct)
    {
        if (database.CurrentTransaction is null || database.GetDbConnection() is not NpgsqlConnection connection || !PreparesStatements(connection))
        {
            return Task.CompletedTask;
        }

        return database.ExecuteSqlRawAsync("SET LOCAL plan_cache_mode = force_generic_plan", ct);
    }

    private static bool PreparesStatements(NpgsqlConnection connection) =>
        Prepared.GetOrAdd(connection.ConnectionString, s => new NpgsqlConnectionStringBuilder(s).MaxAutoPrepare > 0);
}
