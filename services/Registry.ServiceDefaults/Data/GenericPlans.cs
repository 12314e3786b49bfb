using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Statements planned once per session instead of at every execution, for the rest of one transaction (or, by
/// <see cref="CommandPrefix"/>, of one command of INSERTs): PostgreSQL's <c>SET LOCAL plan_cache_mode = force_generic_plan</c> (https://www.postgresql.org/docs/15/runtime-config-query.html,
/// "plan_cache_mode"; the sessions otherwise run with <c>force_custom_plan</c>, <see cref="RegistryDatabase.WithPreparedStatements"/>).
/// A prepared statement then keeps the plan built for it without parameter values, and each execution skips the
/// planner, which for a statement over a table with many indexes costs several times its execution (a registration's
/// blocking statement: 0.35-0.60 ms to plan, 0.10-0.15 to run; docs/performance.md, "Planned once per session"). A
/// statement not prepared (Npgsql prepares one on its fifth use) is planned generically at each execution.
/// <para>
/// Only for writes whose every statement reads rows by key, where the plan does not depend on the values: an equality
/// on an indexed column, <c>= ANY($n)</c> on the first column of an index, a range behind such an equality in the same
/// index. Never for searches or lists. A generic plan does not know a parameter's value, so:
/// <list type="bullet">
/// <item>a range whose bounds are parameters is taken for a two-hundredth of the table (PostgreSQL's default
/// selectivity), which can make a scan of the primary key look cheaper than the right index: write such bounds into the
/// statement (<c>EF.Constant</c>) unless an equality on a leading column of the same index comes first;</item>
/// <item>a <c>Contains</c> on a nullable column must test the column for null first (<c>c.Key != null &amp;&amp;
/// keys.Contains(c.Key)</c>): EF Core otherwise adds <c>OR (c.Key IS NULL AND array_position($n, NULL) IS NOT
/// NULL)</c>, which a generic plan cannot fold away and answers by reading every row of the other conditions.</item>
/// </list>
/// </para>
/// Nothing is sent on SQLite (no plan cache), outside a transaction (but for <see cref="CommandPrefix"/>), when the session's statements are not prepared
/// (<c>Max Auto Prepare</c> 0 in the connection string, as <see cref="RegistryDatabase.PreparedStatementsKey"/> false
/// leaves it unless the string sets it), or when <see cref="RegistryDatabase.GenericPlansInWritesKey"/> is false.
/// </summary>
public sealed class GenericPlans(bool enabled)
{
    private static readonly ConcurrentDictionary<string, bool> Prepared = new();

    /// <summary>Whether writes ask for generic plans at all (<see cref="RegistryDatabase.GenericPlansInWritesKey"/>).</summary>
    public bool Enabled { get; } = enabled;

    /// <summary>
    /// Plans the rest of the current transaction's statements generically (see the type). One statement, sent with the
    /// transaction's deferred BEGIN; call it first in the transaction.
    /// </summary>
    public Task UseForTransactionAsync(DatabaseFacade database, CancellationToken ct) =>
        AppliesTo(database) ? database.ExecuteSqlRawAsync("SET LOCAL plan_cache_mode = force_generic_plan", ct) : Task.CompletedTask;

    /// <summary>
    /// <c>SET LOCAL</c>'s function form, for a transaction whose first statement is a query of its own: placed in that
    /// statement (e.g. <c>FROM (SELECT …) AS plans</c>), it asks for generic plans in the same round trip, for the statements
    /// after it (https://www.postgresql.org/docs/15/functions-admin.html, <c>set_config</c> with <c>is_local</c> true).
    /// Use it only where <see cref="AppliesTo"/>.
    /// </summary>
    public const string SetConfigForTransaction = "set_config('plan_cache_mode', 'force_generic_plan', true)";

    /// <summary>
    /// The statement to put first in one command of INSERTs (<see cref="InsertBatch.ExecuteAsync(GenericPlans, CancellationToken)"/>)
    /// so that PostgreSQL plans the command's statements once per session, or null where nothing is to be sent (as for
    /// <see cref="AppliesTo"/>, but a transaction need not be open: a command sent alone is one implicit transaction, to
    /// whose end the setting lasts). An <c>INSERT … VALUES</c> has one plan whatever its values, so planning it at each
    /// execution, as the sessions' <c>force_custom_plan</c> does, is only cost: a consumer's batch and the access audit's
    /// inserts (docs/performance.md, "INSERTs planned once per session"). In an open transaction the setting also covers
    /// the statements after the command, which is why only a command sent last, before the commit, may carry it: nothing
    /// checks that, so a caller that reads or searches after it must not use it.
    /// </summary>
    public string? CommandPrefix(DatabaseFacade database) =>
        Enabled && database.GetDbConnection() is NpgsqlConnection connection && PreparesStatements(connection)
            ? "SELECT " + SetConfigForTransaction + ";\n"
            : null;

    /// <summary>
    /// Whether the current transaction of <paramref name="database"/> is one to plan generically: the setting is
    /// <see cref="Enabled"/>, a transaction is open, and it is PostgreSQL's with statements prepared.
    /// </summary>
    public bool AppliesTo(DatabaseFacade database) =>
        Enabled && database.CurrentTransaction is not null && database.GetDbConnection() is NpgsqlConnection connection && PreparesStatements(connection);

    private static bool PreparesStatements(NpgsqlConnection connection) =>
        Prepared.GetOrAdd(connection.ConnectionString, s => new NpgsqlConnectionStringBuilder(s).MaxAutoPrepare > 0);
}
