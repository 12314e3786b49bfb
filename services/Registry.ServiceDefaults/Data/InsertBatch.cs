using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// New entities of several types inserted in one round trip, without EF Core's change tracker, their columns read from the
/// model as <see cref="BulkCopy"/> reads them (<see cref="EntityTables"/>), the whole sent as one command through EF Core
/// (<c>ExecuteSqlRaw</c>, so its interceptors, logging and tracing see it) in the context's current transaction. Rows added one
/// after the other into the same table with the same columns share one INSERT (a multi-row <c>VALUES</c> list, in the order
/// added), up to <see cref="RowsPerStatement"/> rows a statement, so that the few texts a table gets stay prepared; any other
/// row starts an INSERT of its own. For a hot write of a few rows per call where tracking them cost more than the statements (a
/// registration: docs/performance.md, "A registration without the change tracker"); elsewhere add entities to the context.
/// <para>
/// The entities are not tracked and nothing is read back. An identity key the entity holds no value for is left to the
/// database; an entity split over several tables must carry its key (its fragments' rows are joined by it). A constraint
/// violation throws as the statement's (on PostgreSQL a <see cref="Npgsql.PostgresException"/>, not a
/// <see cref="DbUpdateException"/>), and the rows before it in the batch are not kept apart from the transaction.
/// </para>
/// </summary>
public sealed class InsertBatch(DbContext db)
{
    /// <summary>
    /// The most rows one INSERT carries. Each count of rows is its own statement text, which each session prepares apart
    /// (Npgsql keeps <see cref="RegistryDatabase.AutoPreparedStatements"/> prepared, for every statement the session runs): a
    /// bound keeps a table and column list to this many texts. A registration's identity assertions (7 on average) go in one
    /// statement when there are 8 or fewer; a batch of the access audit goes in one statement per 8 rows. A constraint violation
    /// names the statement, so any of its rows.
    /// </summary>
    public const int RowsPerStatement = 8;

    private const string StatementEnd = ");\n";
    private readonly StringBuilder _sql = new();
    private readonly List<DbParameter> _parameters = [];
    private DbCommand? _parameterFactory;
    private string? _lastHeader;
    private int _rowsInStatement;

    /// <summary>How many rows are waiting (an entity split over two tables counts two).</summary>
    public int Rows { get; private set; }

    /// <summary>Adds one new entity's rows, in the order they will be inserted; nothing of it when it throws.</summary>
    /// <exception cref="InvalidOperationException">Not an entity type of the context, or a split entity without its key.</exception>
    public InsertBatch Add<T>(T entity)
        where T : class
    {
        // The entity's own type (a derived one, or one added as object, has its own columns).
        var tables = EntityTables.Of(db.Model, entity.GetType());
        // Every row of the entity is read before any is added, so that a failure leaves the batch as it was.
        var rows = new List<(string Columns, string Values)>(tables.Count);
        var parameters = new List<DbParameter>();
        foreach (var table in tables)
        {
            var header = new StringBuilder("INSERT INTO ").Append(table.Name).Append(" (");
            var values = new StringBuilder();
            var first = true;
            foreach (var column in table.Columns)
            {
                if (column.IsGeneratedKey && column.HasSentinel(entity))
                {
                    if (tables.Count > 1)
                    {
                        throw new InvalidOperationException($"{entity.GetType().Name} is split over {tables.Count} tables: allot its key before inserting it.");
                    }

                    continue;
                }

                // EF Core's raw SQL takes {n} for the n-th parameter and writes the parameter's own placeholder there.
                var index = _parameters.Count + parameters.Count;
                _parameterFactory ??= db.Database.GetDbConnection().CreateCommand();
                parameters.Add(column.Mapping.CreateParameter(_parameterFactory, $"p{index}", column.Read(entity), column.IsNullable));
                header.Append(first ? "" : ", ").Append(EntityTables.Quote(column.Name));
                values.Append(first ? "" : ", ").Append('{').Append(index).Append('}');
                first = false;
            }

            rows.Add((header.Append(')').ToString(), values.ToString()));
        }

        _parameters.AddRange(parameters);
        foreach (var (columns, values) in rows)
        {
            if (columns == _lastHeader && _rowsInStatement < RowsPerStatement)
            {
                // The previous row's INSERT takes this one too: "... VALUES (a), (b);".
                _sql.Length -= StatementEnd.Length;
                _sql.Append("), (");
                _rowsInStatement++;
            }
            else
            {
                _sql.Append(columns).Append(" VALUES (");
                _lastHeader = columns;
                _rowsInStatement = 1;
            }

            _sql.Append(values).Append(StatementEnd);
            Rows++;
        }

        return this;
    }

    /// <summary>Adds each entity's rows, in order.</summary>
    public InsertBatch AddRange<T>(IEnumerable<T> entities)
        where T : class
    {
        foreach (var entity in entities)
        {
            Add(entity);
        }

        return this;
    }

    /// <summary>Inserts every row added, in one command, and empties the batch.</summary>
    public async Task ExecuteAsync(CancellationToken ct)
    {
        if (Rows == 0)
        {
            return;
        }

        try
        {
            await db.Database.ExecuteSqlRawAsync(_sql.ToString(), _parameters, ct);
        }
        finally
        {
            _sql.Clear();
            _parameters.Clear();
            Rows = 0;
            _lastHeader = null;
            _rowsInStatement = 0;
            if (_parameterFactory is not null)
            {
                await _parameterFactory.DisposeAsync();
                _parameterFactory = null;
            }
        }
    }
}
