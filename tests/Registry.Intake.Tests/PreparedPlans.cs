using Microsoft.EntityFrameworkCore;

namespace Registry.Intake.Tests;

/// <summary>
/// A statement the current session has prepared and how PostgreSQL planned it (pg_prepared_statements, PostgreSQL 14+):
/// <see cref="Generic"/> executions ran the plan made without values, <see cref="Custom"/> ones a plan made for their values.
/// </summary>
internal sealed class PreparedPlans
{
    public string Statement { get; init; } = "";
    public long Generic { get; init; }
    public long Custom { get; init; }

    /// <summary>The session's prepared statements that meet <paramref name="condition"/> (SQL over pg_prepared_statements' <c>statement</c>).</summary>
    public static Task<List<PreparedPlans>> OfSessionAsync(DbContext db, string condition)
    {
        // The condition is the test's own text, never a value from outside.
        var sql = "SELECT statement AS \"Statement\", generic_plans AS \"Generic\", custom_plans AS \"Custom\" FROM pg_prepared_statements WHERE "
            + condition;
        return db.Database.SqlQueryRaw<PreparedPlans>(sql).ToListAsync();
    }
}
