using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

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
        var parameters = new List<DbParameter>();
        Append(RowsOf(entity, parameters), parameters);
        return this;
    }

    /// <summary>
    /// Each row of one new entity (one a table it is mapped to, the main table first) as its INSERT's header and its
    /// <c>VALUES</c> list, its parameters added to <paramref name="pending"/> (numbered after the batch's and those already
    /// pending); nothing is added to the batch.
    /// </summary>
    private List<(string Columns, string Values)> RowsOf(object entity, List<DbParameter> pending)
    {
        // The entity's own type (a derived one, or one added as object, has its own columns).
        var tables = EntityTables.Of(db.Model, entity.GetType());
        // Every row of the entity is read before any is added, so that a failure leaves the batch as it was.
        var rows = new List<(string Columns, string Values)>(tables.Count);
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
                var index = _parameters.Count + pending.Count;
                _parameterFactory ??= db.Database.GetDbConnection().CreateCommand();
                pending.Add(column.Mapping.CreateParameter(_parameterFactory, $"p{index}", column.Read(entity), column.IsNullable));
                header.Append(first ? "" : ", ").Append(EntityTables.Quote(column.Name));
                values.Append(first ? "" : ", ").Append('{').Append(index).Append('}');
                first = false;
            }

            rows.Add((header.Append(')').ToString(), values.ToString()));
        }

        return rows;
    }

    /// <summary>Adds rows built by <see cref="RowsOf"/> with their parameters, each sharing the previous row's INSERT when it can.</summary>
    private void Append(IEnumerable<(string Columns, string Values)> rows, List<DbParameter> parameters)
    {
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
    }

    /// <summary>
    /// A batch of everything <paramref name="db"/> tracks, when all of it is new rows this batch writes as EF Core's save
    /// would, with the context's tracker cleared (the rows then exist only in the batch: execute it, or the context's next
    /// save writes nothing of them); null, the tracker untouched, otherwise, and the caller saves as usual. For a write that
    /// adds many entities through the tracker (a batch consumer's hundred messages: their inbox rows and what the consumer
    /// added), where EF Core's save sends one INSERT a row. What it takes:
    /// <list type="bullet">
    /// <item>every tracked entity <see cref="EntityState.Added"/> (nothing to update or delete);</item>
    /// <item>entity types mapped plainly (<see cref="Insertable"/>): one table of their own (or split over several, with
    /// their key), no inheritance, no complex or JSON-mapped properties, no shadow properties but computed columns, no
    /// property the save leaves out of an INSERT; owned types only in their owner's row;</item>
    /// <item>no column the database would fill because the save leaves it out (a default on a property left at its empty
    /// value);</item>
    /// <item>a temporary value (EF Core's stand-in for a key the database generates) only as that key, on the entity that
    /// owns it: a foreign key waiting for it could not be filled, since nothing is read back.</item>
    /// </list>
    /// The types go in an order their foreign keys allow (a principal's rows before its dependents'), each type's entities
    /// in the order the tracker lists them (a row that refers to another of its own type listed after it in a later
    /// statement, more than <see cref="RowsPerStatement"/> rows on, fails the batch's command, and its caller then saves);
    /// a cycle among the types gives null. The entities are left as the batch found them: a key the database generates is
    /// not read back into them (it stays at its empty value).
    /// </summary>
    public static InsertBatch? OfTracked(DbContext db)
    {
        var byType = new Dictionary<IEntityType, List<object>>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            var type = entry.Metadata;
            if (entry.State != EntityState.Added || !(type.IsOwned() ? OwnedInsertable(type) : Insertable(type)))
            {
                return null;
            }

            foreach (var property in entry.Properties)
            {
                var metadata = property.Metadata;
                if (metadata.IsPrimaryKey())
                {
                    // A generated key left to the database, on its own entity. An owned type's key is its owner's, checked
                    // there, and not a column of its own (its properties go in the owner's row).
                    if (!type.IsOwned() && property.IsTemporary
                        && (metadata.IsForeignKey() || !metadata.GetGetter().HasSentinelValue(entry.Entity)))
                    {
                        return null;
                    }
                }
                else if (property.IsTemporary
                         || (metadata.ValueGenerated == ValueGenerated.OnAdd && metadata.GetGetter().HasSentinelValue(entry.Entity)))
                {
                    // A foreign key waiting for a generated key, or a default the save would leave to the database.
                    return null;
                }
            }

            if (type.IsOwned())
            {
                // Written with its owner's row.
                continue;
            }

            if (!byType.TryGetValue(type, out var entities))
            {
                byType[type] = entities = [];
            }

            entities.Add(entry.Entity);
        }

        var order = new List<IEntityType>(byType.Count);
        var pending = byType.Keys.ToList();
        while (pending.Count > 0)
        {
            // The first type none of whose principals (other than itself) is still to go.
            var next = pending.FindIndex(t => !t.GetForeignKeys().Any(fk => fk.PrincipalEntityType != t && pending.Contains(fk.PrincipalEntityType)));
            if (next < 0)
            {
                return null;
            }

            order.Add(pending[next]);
            pending.RemoveAt(next);
        }

        var batch = new InsertBatch(db);
        try
        {
            foreach (var type in order)
            {
                batch.AddRange(byType[type]);
            }
        }
        catch (InvalidOperationException)
        {
            // An entity split over tables without its key: the tracker's save can still write it.
            batch._parameterFactory?.Dispose();
            return null;
        }

        db.ChangeTracker.Clear();
        return batch;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IEntityType, object> Plain = new();

    /// <summary>
    /// Whether <see cref="OfTracked"/> writes <paramref name="type"/>'s entities as the save would (see there), its owned
    /// types included; decided once per type.
    /// </summary>
    private static bool Insertable(IEntityType type) => (bool)Plain.GetValue(type, t =>
        // A table of its own to insert into (not a view, a query or a function; not through a stored procedure).
        t.GetTableName() is not null && t.GetInsertStoredProcedure() is null
        && !t.HasSharedClrType && t.BaseType is null && !t.GetDerivedTypes().Any()
        && ColumnsPlain(t)
        // No other entity type in its table (table splitting); its own owned types are written with it.
        && t.GetTableMappings().All(m => m.Table.EntityTypeMappings.All(o => o.TypeBase == t || (o.TypeBase is IEntityType e && e.IsOwned())))
        && OwnedTypes(t).All(OwnedInsertable));

    /// <summary>An owned type <see cref="EntityTables"/> reads from its owner's row: one instance, the same table, not JSON.</summary>
    private static bool OwnedInsertable(IEntityType owned) => (bool)Plain.GetValue(owned, t =>
    {
        var ownership = t.FindOwnership()!;
        var owner = ownership.PrincipalEntityType;
        return ownership.IsUnique && !t.IsMappedToJson() && t.GetTableName() == owner.GetTableName() && t.GetSchema() == owner.GetSchema()
            && !t.GetForeignKeys().Any(fk => !fk.IsOwnership)
            && ColumnsPlain(t)
            && OwnedTypes(t).All(OwnedInsertable);
    });

    /// <summary>
    /// The types <paramref name="owner"/> owns directly (from owner to owned only: an owned type's navigation back to its
    /// owner would recurse).
    /// </summary>
    private static IEnumerable<IEntityType> OwnedTypes(IEntityType owner) =>
        owner.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent).Select(n => n.TargetEntityType);

    /// <summary>
    /// Every property is a column read from the entity and written by an INSERT: no complex property, no shadow property
    /// but a computed column or an owned type's key (its owner's), nothing the save leaves out of an INSERT.
    /// </summary>
    private static bool ColumnsPlain(IEntityType type) =>
        !type.GetComplexProperties().Any()
        && type.GetProperties().All(p => p.ValueGenerated == ValueGenerated.OnAddOrUpdate
            || ((!p.IsShadowProperty() || (type.IsOwned() && p.IsPrimaryKey())) && p.GetBeforeSaveBehavior() == PropertySaveBehavior.Save));

    /// <summary>
    /// Adds each entity's rows, in order. Entities of one type split over several tables (an ICRC notification and its body)
    /// go table by table, the main table's rows of all of them first, so that each table's rows share INSERTs as the rows of
    /// an unsplit type do (one entity after the other would alternate between the tables, a statement a row); then nothing of
    /// them is added when one throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not an entity type of the context, or a split entity without its key.</exception>
    public InsertBatch AddRange<T>(IEnumerable<T> entities)
        where T : class
    {
        var list = entities as IReadOnlyList<T> ?? [.. entities];
        if (list.Count > 1 && list.All(e => e.GetType() == list[0].GetType()) && EntityTables.Of(db.Model, list[0].GetType()).Count > 1)
        {
            var parameters = new List<DbParameter>();
            var rows = list.Select(e => RowsOf(e, parameters)).ToList();
            Append(Enumerable.Range(0, rows[0].Count).SelectMany(table => rows.Select(r => r[table])), parameters);
            return this;
        }

        foreach (var entity in list)
        {
            Add(entity);
        }

        return this;
    }

    /// <summary>Inserts every row added, in one command, and empties the batch.</summary>
    public Task ExecuteAsync(CancellationToken ct) => ExecuteAsync(prefix: null, ct);

    /// <summary>
    /// <see cref="ExecuteAsync(CancellationToken)"/>, the command's INSERTs planned once per session where
    /// <paramref name="plans"/> applies (<see cref="GenericPlans.CommandPrefix"/>: one statement more in the same round
    /// trip) instead of at each execution. In an open transaction the statements after the command are planned so too:
    /// use it only for a transaction's last command before its commit, or for a command sent alone.
    /// </summary>
    public Task ExecuteAsync(GenericPlans plans, CancellationToken ct) => ExecuteAsync(plans.CommandPrefix(db.Database), ct);

    private async Task ExecuteAsync(string? prefix, CancellationToken ct)
    {
        if (Rows == 0)
        {
            return;
        }

        try
        {
            await db.Database.ExecuteSqlRawAsync(prefix is null ? _sql.ToString() : prefix + _sql, _parameters, ct);
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
