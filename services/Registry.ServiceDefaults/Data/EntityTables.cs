using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// The tables and columns EF Core's model maps an entity type to, for writers that insert rows themselves instead of
/// through the change tracker (<see cref="BulkCopy"/>, <see cref="InsertBatch"/>): the entity's own properties and those of
/// owned types stored in its table, with each column's type mapping (value converter included). An entity split over
/// several tables (EF Core entity splitting) maps to its main table first, then each fragment's. Computed columns and an
/// owned type's copy of its owner's key are left out. Read from the model once per model and type.
/// </summary>
public static class EntityTables
{
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, IReadOnlyList<Table>>> Cache = new();

    /// <summary>One column: how to read its value from an entity, and how the provider stores it.</summary>
    /// <param name="Name">The column's name, unquoted.</param>
    /// <param name="IsGeneratedKey">Whether it is a primary key the database generates (an identity): left to the database when the entity has no value for it.</param>
    /// <param name="IsNullable">Whether the column admits null.</param>
    public sealed record Column(string Name, bool IsGeneratedKey, bool IsNullable, RelationalTypeMapping Mapping, Func<object, object?> Owner, IClrPropertyGetter Getter)
    {
        /// <summary>The property's value as the entity holds it (before the value converter), or null.</summary>
        public object? Read(object entity) => Owner(entity) is { } owner ? Getter.GetClrValue(owner) : null;

        /// <summary>The value as the database stores it (after the value converter), or null.</summary>
        public object? ReadForProvider(object entity) =>
            Read(entity) is { } value ? (Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) : null;

        /// <summary>Whether the entity holds no value of its own for the property (the CLR default or the configured sentinel).</summary>
        public bool HasSentinel(object entity) => Owner(entity) is not { } owner || Getter.HasSentinelValue(owner);
    }

    /// <summary>One table an entity type is stored in.</summary>
    /// <param name="Name">The table's name, quoted for SQL, with its schema when it has one.</param>
    public sealed record Table(string Name, IReadOnlyList<Column> Columns);

    /// <summary>The tables <paramref name="clrType"/> is stored in, its main table first.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="clrType"/> is not an entity type of <paramref name="model"/>.</exception>
    public static IReadOnlyList<Table> Of(IModel model, Type clrType) =>
        Cache.GetOrCreateValue(model).GetOrAdd(clrType, type => Read(model, type));

    /// <summary>An identifier quoted for PostgreSQL and SQLite (double quotes, doubled inside).</summary>
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static IReadOnlyList<Table> Read(IModel model, Type clrType)
    {
        var type = model.FindEntityType(clrType) ?? throw new InvalidOperationException($"{clrType.Name} is not an entity type of this model.");
        var main = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var fragments = type.GetMappingFragments(StoreObjectType.Table).Select(f => f.StoreObject);
        return fragments.Prepend(main).Select(table =>
        {
            var columns = new List<Column>();
            AddColumns(type, table, e => e, columns);
            var name = table.Schema is null ? Quote(table.Name) : $"{Quote(table.Schema)}.{Quote(table.Name)}";
            return new Table(name, columns);
        }).ToList();
    }

    private static void AddColumns(IEntityType current, StoreObjectIdentifier table, Func<object, object?> owner, List<Column> into)
    {
        foreach (var property in current.GetProperties())
        {
            // An owned type's key is its owner's key column, already read; a computed column is the database's.
            if ((current.IsOwned() && property.IsPrimaryKey()) || property.ValueGenerated == ValueGenerated.OnAddOrUpdate
                || property.GetColumnName(table) is not { } column)
            {
                continue;
            }

            var generatedKey = property.ValueGenerated == ValueGenerated.OnAdd && property.IsPrimaryKey();
            into.Add(new Column(column, generatedKey, property.IsColumnNullable(table), property.GetRelationalTypeMapping(), owner, property.GetGetter()));
        }

        foreach (var navigation in current.GetNavigations().Where(n => !n.IsCollection && n.TargetEntityType.IsOwned()
                     && n.TargetEntityType.GetTableName() == table.Name))
        {
            var get = navigation.GetGetter();
            AddColumns(navigation.TargetEntityType, table, e => owner(e) is { } o ? get.GetClrValue(o) : null, into);
        }
    }
}
