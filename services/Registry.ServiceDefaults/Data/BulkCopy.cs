using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Inserts many new entities of one type with PostgreSQL's binary COPY instead of EF Core's INSERT statements,
/// inside the context's current transaction: the columns, their names and value conversions are read from the
/// EF model (the entity's own properties and those of owned types stored in its table), so a column added to
/// the model is copied too; an entity split over several tables (EF Core entity splitting) is copied into each, the
/// main table first, and must carry its keys. A store-generated column (an identity key) is left to the database unless the
/// entities carry values for it. The entities are not tracked: nothing is read back. PostgreSQL only; on
/// other stores add them to the context as usual.
/// </summary>
public static class BulkCopy
{
    /// <summary>Copies <paramref name="entities"/> (all new) into their table, in order; constraint violations throw as an INSERT's would (<see cref="PostgresException"/>).</summary>
    public static async Task CopyAsync<T>(this DbContext db, IReadOnlyList<T> entities, CancellationToken ct)
        where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }

        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity of {db.GetType().Name}.");
        var main = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        // An entity split over several tables (EF Core entity splitting) goes into its main table first, then into each
        // fragment's table under the same key: the fragments' foreign keys refer to the main row.
        var fragments = type.GetMappingFragments(StoreObjectType.Table).Select(f => f.StoreObject).ToList();
        foreach (var table in fragments.Prepend(main))
        {
            var columns = new List<(string Name, Func<T, object?> Read)>();
            AddColumns(type, table, e => e, columns);
            if (columns.Any(c => c.Name.Length == 0))
            {
                // An identity column is the database's to fill unless the entities were given values (e.g. numbers allotted
                // ahead); a split entity's rows can only be joined up by a key known before the copy.
                if (fragments.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"{typeof(T).Name} is split over {fragments.Count + 1} tables: allot its keys before copying (its fragments' rows need them).");
                }

                columns.RemoveAll(c => c.Name.Length == 0);
            }

            await CopyTableAsync(db, table, columns, entities, ct);
        }

        void AddColumns(IEntityType current, StoreObjectIdentifier store, Func<T, object?> owner, List<(string, Func<T, object?>)> into)
        {
            foreach (var property in current.GetProperties())
            {
                // An owned type's key is its owner's key column, already copied; a computed column is the database's.
                if ((current.IsOwned() && property.IsPrimaryKey()) || property.ValueGenerated == ValueGenerated.OnAddOrUpdate
                    || property.GetColumnName(store) is not { } column)
                {
                    continue;
                }

                var getter = property.GetGetter();
                var converter = property.GetTypeMapping().Converter;
                var generated = property.ValueGenerated == ValueGenerated.OnAdd && property.IsPrimaryKey();
                if (generated && entities.All(e => owner(e) is { } o && getter.HasSentinelValue(o)))
                {
                    into.Add(("", _ => null));
                    continue;
                }

                into.Add((column, e => owner(e) is { } o && getter.GetClrValue(o) is { } v ? (converter is null ? v : converter.ConvertToProvider(v)) : null));
            }

            foreach (var navigation in current.GetNavigations().Where(n => !n.IsCollection && n.TargetEntityType.IsOwned()
                         && n.TargetEntityType.GetTableName() == store.Name))
            {
                var get = navigation.GetGetter();
                AddColumns(navigation.TargetEntityType, store, e => owner(e) is { } o ? get.GetClrValue(o) : null, into);
            }
        }
    }

    private static async Task CopyTableAsync<T>(DbContext db, StoreObjectIdentifier table, List<(string Name, Func<T, object?> Read)> columns,
        IReadOnlyList<T> entities, CancellationToken ct)
        where T : class
    {
        var name = table.Schema is null ? Quote(table.Name) : $"{Quote(table.Schema)}.{Quote(table.Name)}";
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {name} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var entity in entities)
        {
            await importer.StartRowAsync(ct);
            foreach (var (_, read) in columns)
            {
                if (read(entity) is { } value)
                {
                    await importer.WriteAsync(value, ct);
                }
                else
                {
                    await importer.WriteNullAsync(ct);
                }
            }
        }

        await importer.CompleteAsync(ct);
    }

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
