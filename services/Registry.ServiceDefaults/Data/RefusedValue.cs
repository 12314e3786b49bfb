using Microsoft.Data.Sqlite;
using Npgsql;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// A value a store refused, which the same write meets again on every attempt (unlike a lost connection, a deadlock,
/// a lost race for a unique key or a timeout): PostgreSQL's data exceptions (SQLSTATE class 22: a value too long, out
/// of range, not a valid date) and NOT NULL or CHECK violations (23502, 23514; PostgreSQL, Appendix A), and SQLite's
/// NOT NULL and CHECK violations. Validation should have refused such a value first: seeing one is a fault of the
/// registry. The gRPC interceptor answers it <c>INTERNAL</c> (not <c>UNAVAILABLE</c>), and a consumer's message goes to
/// the error queue at once (<see cref="Messaging.MessageRefusedException.Permanent"/>).
/// </summary>
/// <param name="Code">The store's code: the SQLSTATE (<c>22001</c>), or <c>SQLITE_CONSTRAINT_NOTNULL</c> / <c>_CHECK</c>.</param>
/// <param name="Description">The code and the store's message in words, with the column when the store names it.</param>
public sealed record RefusedValue(string Code, string Description)
{
    // SQLITE_CONSTRAINT_NOTNULL and SQLITE_CONSTRAINT_CHECK (https://www.sqlite.org/rescode.html).
    private const int SqliteNotNull = 1299;
    private const int SqliteCheck = 275;

    /// <summary>The refused value anywhere in <paramref name="error"/>'s chain (EF Core wraps the store's exception), else null.</summary>
    public static RefusedValue? Of(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (From(e) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The refused value <paramref name="e"/> itself reports (not its inner exceptions), else null.</summary>
    public static RefusedValue? From(Exception e) => e switch
    {
        PostgresException pg when pg.SqlState.StartsWith("22", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.NotNullViolation or PostgresErrorCodes.CheckViolation =>
            new(pg.SqlState, $"PostgreSQL {pg.SqlState}: {pg.MessageText}{(pg.ColumnName is null ? "" : $" (column {pg.ColumnName})")}"),
        SqliteException { SqliteExtendedErrorCode: SqliteNotNull or SqliteCheck } sqlite => new(
            sqlite.SqliteExtendedErrorCode == SqliteNotNull ? "SQLITE_CONSTRAINT_NOTNULL" : "SQLITE_CONSTRAINT_CHECK",
            $"SQLite {sqlite.SqliteExtendedErrorCode}: {sqlite.Message}"),
        _ => null,
    };
}
