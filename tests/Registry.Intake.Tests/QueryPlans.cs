using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Registry.Intake.Data;

namespace Registry.Intake.Tests;

/// <summary>What PostgreSQL's planner makes of a statement (EXPLAIN's text, without costs), for tests of which index answers it.</summary>
public static class QueryPlans
{
    /// <summary>
    /// EXPLAIN of <paramref name="sql"/> (a statement without parameters, e.g. EF Core's <c>ToQueryString</c> of a query whose
    /// values are constants), in a transaction rolled back after <paramref name="setLocal"/> (e.g. <c>SET LOCAL enable_seqscan = off</c>).
    /// </summary>
    public static async Task<string> ExplainAsync(IntakeDbContext db, string sql, string? setLocal = null)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (setLocal is not null)
        {
            await db.Database.ExecuteSqlRawAsync(setLocal);
        }

        return await ReadPlanAsync(db, transaction, "EXPLAIN (COSTS OFF) " + sql);
    }

    /// <summary>
    /// The plan PostgreSQL makes for <paramref name="statement"/> (EF Core's {0}, {1}… placeholders, of
    /// <paramref name="types"/>) without its parameters' values, as a prepared statement in a case's write gets it
    /// (<c>force_generic_plan</c>), executed with <paramref name="arguments"/>.
    /// </summary>
    public static async Task<string> GenericPlanOfAsync(IntakeDbContext db, string statement, string[] types, string arguments, string? setLocal = null)
    {
        var numbered = string.Format(CultureInfo.InvariantCulture, statement, types.Select((_, i) => (object)$"${i + 1}").ToArray());
        // A prepared statement outlives the transaction on the pooled session: its own name, and deallocated whatever happens.
        var name = "generic_plan_of_" + Guid.NewGuid().ToString("N");
        var prepared = false;
        // One session for the statement's whole life (the transaction's end would otherwise give the connection back).
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("SET LOCAL plan_cache_mode = force_generic_plan");
            if (setLocal is not null)
            {
                await db.Database.ExecuteSqlRawAsync(setLocal);
            }

            var prepare = $"PREPARE {name}({string.Join(", ", types)}) AS {numbered}";
            await db.Database.ExecuteSqlRawAsync(prepare);
            prepared = true;
            return await ReadPlanAsync(db, transaction, $"EXPLAIN (COSTS OFF) EXECUTE {name}({arguments})");
        }
        finally
        {
            if (prepared)
            {
                var deallocate = $"DEALLOCATE {name}";
                await db.Database.ExecuteSqlRawAsync(deallocate);
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<string> ReadPlanAsync(IntakeDbContext db, IDbContextTransaction transaction, string explain)
    {
        var plan = new List<string>();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = explain;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return string.Join('\n', plan);
    }
}
