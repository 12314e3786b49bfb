using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Inserts many new entities of one type with PostgreSQL's binary COPY instead of EF Core's INSERT statements,
/// inside the context's current transaction: the columns, their names and value conversions are read from the
/// EF model (<see cref="EntityTables"/>: the entity's own properties and those of owned types stored in its table), so a column added to
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

        var tables = EntityTables.Of(db.Model, typeof(T));
        foreach (var table in tables)
        {
            var columns = table.Columns.ToList();
            // An identity key is the database's to fill unless the entities were given values (e.g. numbers allotted
            // ahead); a split entity's rows can only be joined up by a key known before the copy.
            if (columns.Any(c => c.IsGeneratedKey && entities.All(e => c.HasSentinel(e))))
            {
                if (tables.Count > 1)
                {
                    throw new InvalidOperationException(
                        $"{typeof(T).Name} is split over {tables.Count} tables: allot its keys before copying (its fragments' rows need them).");
                }

                columns.RemoveAll(c => c.IsGeneratedKey);
            }

            await CopyTableAsync(db, table.Name, columns, entities, ct);
        }
    }

    private static async Task CopyTableAsync<T>(DbContext db, string name, List<EntityTables.Column> columns, IReadOnlyList<T> entities, CancellationToken ct)
        where T : class
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {name} ({string.Join(", ", columns.Select(c => EntityTables.Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var entity in entities)
        {
            await importer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                if (column.ReadForProvider(entity) is { } value)
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
}
