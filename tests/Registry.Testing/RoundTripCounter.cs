using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Testing;

/// <summary>
/// Records, per DbContext lease (one per consume scope: the services take their contexts from a pool, so one instance
/// serves scope after scope, each with its own <see cref="DbContextId.Lease"/>), every exchange with the database that costs a round
/// trip: each command EF Core executes (a batch of statements is one command), each COMMIT and ROLLBACK, and each
/// savepoint operation (counted although Npgsql may send some with the next command: the count errs high, never low).
/// BEGIN is not counted: Npgsql sends it together with the transaction's first command (NpgsqlConnection.BeginTransaction
/// writes nothing to the wire). Added to a service under test with
/// <c>services.ConfigureDbContext&lt;TDb&gt;(o =&gt; o.AddInterceptors(counter), ServiceLifetime.Singleton)</c> (singleton: the pool
/// builds the contexts' options once, from the root provider).
/// </summary>
public sealed class RoundTripCounter : IDbCommandInterceptor, IDbTransactionInterceptor
{
    private readonly ConcurrentDictionary<DbContextId, Exchanges> _byContext = new();

    /// <summary>
    /// The round trips of the context that inserted a row carrying <paramref name="value"/> (a parameter of a command
    /// with an INSERT, e.g. the message id of an inbox row), in order; empty when none did.
    /// </summary>
    public IReadOnlyList<string> Of(object value)
    {
        foreach (var exchanges in _byContext.Values)
        {
            if (exchanges.Sent(value))
            {
                return exchanges.List();
            }
        }

        return [];
    }

    /// <summary>
    /// The round trips of each context that inserted a row carrying one of <paramref name="values"/>, one list per
    /// context (so per consume scope: a batch consumer's batch is one).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> OfAny(IEnumerable<object> values)
    {
        var wanted = values.ToList();
        return [.. _byContext.Values.Where(e => wanted.Exists(e.Sent)).Select(e => e.List())];
    }

    /// <summary>
    /// How many SQL statements a recorded exchange sent (1 for a command of one statement, 0 for COMMIT and the like), the
    /// plan setting of a command marked <see cref="PlannedForTheSession"/> not counted (it sent one statement more).
    /// </summary>
    public static int Statements(string exchange) =>
        System.Text.RegularExpressions.Regex.Match(exchange, @"\((\d+) statements\)$") is { Success: true } many
            ? int.Parse(many.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : exchange == "COMMIT" || exchange.StartsWith("ROLLBACK", StringComparison.Ordinal) || exchange.StartsWith("SAVEPOINT", StringComparison.Ordinal)
              || exchange.StartsWith("RELEASE", StringComparison.Ordinal) ? 0 : 1;

    private void Record(DbContext? context, string what, DbCommand? command = null)
    {
        if (context is null)
        {
            return;
        }

        var exchanges = _byContext.GetOrAdd(context.ContextId, _ => new Exchanges());
        exchanges.Add(what, command);
    }

    /// <summary>
    /// What a command of INSERTs planned once per session starts with (<see cref="ServiceDefaults.Data.GenericPlans.CommandPrefix"/>):
    /// described by its INSERTs, marked <see cref="PlannedForTheSession"/>, the setting not counted as a statement.
    /// </summary>
    private const string GenericPlansPrefix = "SELECT " + ServiceDefaults.Data.GenericPlans.SetConfigForTransaction + ";";

    /// <summary>In an exchange's description: its command began with <see cref="GenericPlansPrefix"/>.</summary>
    public const string PlannedForTheSession = "[plans kept for the session]";

    private static string Describe(DbCommand command)
    {
        var text = command.CommandText.Trim();
        var planned = text.StartsWith(GenericPlansPrefix, StringComparison.Ordinal);
        text = planned ? text[GenericPlansPrefix.Length..].Trim() : text;
        var statements = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = text.Split('\n')[0].Trim() + (planned ? " " + PlannedForTheSession : "");
        return statements.Length > 1 ? $"{first} … ({statements.Length} statements)" : first;
    }

    InterceptionResult<DbDataReader> IDbCommandInterceptor.ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(eventData.Context, Describe(command), command);
        return result;
    }

    ValueTask<InterceptionResult<DbDataReader>> IDbCommandInterceptor.ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, Describe(command), command);
        return ValueTask.FromResult(result);
    }

    InterceptionResult<int> IDbCommandInterceptor.NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context, Describe(command), command);
        return result;
    }

    ValueTask<InterceptionResult<int>> IDbCommandInterceptor.NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, Describe(command), command);
        return ValueTask.FromResult(result);
    }

    InterceptionResult<object> IDbCommandInterceptor.ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(eventData.Context, Describe(command), command);
        return result;
    }

    ValueTask<InterceptionResult<object>> IDbCommandInterceptor.ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, Describe(command), command);
        return ValueTask.FromResult(result);
    }

    InterceptionResult IDbTransactionInterceptor.TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Record(eventData.Context, "COMMIT");
        return result;
    }

    ValueTask<InterceptionResult> IDbTransactionInterceptor.TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, "COMMIT");
        return ValueTask.FromResult(result);
    }

    InterceptionResult IDbTransactionInterceptor.TransactionRollingBack(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Record(eventData.Context, "ROLLBACK");
        return result;
    }

    ValueTask<InterceptionResult> IDbTransactionInterceptor.TransactionRollingBackAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, "ROLLBACK");
        return ValueTask.FromResult(result);
    }

    InterceptionResult IDbTransactionInterceptor.CreatingSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Record(eventData.Context, "SAVEPOINT");
        return result;
    }

    ValueTask<InterceptionResult> IDbTransactionInterceptor.CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, "SAVEPOINT");
        return ValueTask.FromResult(result);
    }

    InterceptionResult IDbTransactionInterceptor.ReleasingSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Record(eventData.Context, "RELEASE SAVEPOINT");
        return result;
    }

    ValueTask<InterceptionResult> IDbTransactionInterceptor.ReleasingSavepointAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, "RELEASE SAVEPOINT");
        return ValueTask.FromResult(result);
    }

    InterceptionResult IDbTransactionInterceptor.RollingBackToSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Record(eventData.Context, "ROLLBACK TO SAVEPOINT");
        return result;
    }

    ValueTask<InterceptionResult> IDbTransactionInterceptor.RollingBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken)
    {
        Record(eventData.Context, "ROLLBACK TO SAVEPOINT");
        return ValueTask.FromResult(result);
    }

    private sealed class Exchanges
    {
        private readonly List<string> _list = [];
        private readonly HashSet<object> _inserted = [];

        public void Add(string what, DbCommand? command)
        {
            lock (_list)
            {
                _list.Add(what);
                if (command is null || !command.CommandText.Contains("INSERT INTO", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }

                foreach (DbParameter parameter in command.Parameters)
                {
                    if (parameter.Value is { } value and not DBNull)
                    {
                        _inserted.Add(value);
                    }
                }
            }
        }

        public bool Sent(object value)
        {
            lock (_list)
            {
                return _inserted.Contains(value);
            }
        }

        public IReadOnlyList<string> List()
        {
            lock (_list)
            {
                return [.. _list];
            }
        }
    }
}
