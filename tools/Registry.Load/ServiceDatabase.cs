using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Registry.Load;

/// <summary>
/// One service's database as the reconciliation reads it: PostgreSQL (the server modes), or a SQLite file
/// of the embedded host when the connection string is SQLite's (<c>Data Source=…/intake.db</c>, as
/// <c>--embedded-data</c> sets). The two differ in how a list of ids is passed (an array parameter; a JSON
/// array read with <c>json_each</c>) and in how EF Core stored the values: PostgreSQL has <c>uuid</c> and
/// <c>timestamptz</c>; on SQLite a Guid is upper-case text and an instant its UTC ticks
/// (Registry.ServiceDefaults' SqliteConventions).
/// </summary>
public sealed class ServiceDatabase(string connectionString)
{
    public bool IsSqlite { get; } = connectionString.TrimStart().StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The embedded host's files under <paramref name="dataPath"/> (its Embedded:DataPath), opened read-only.</summary>
    public static string SqliteFile(string dataPath, string service) =>
        $"Data Source={Path.GetFullPath(Path.Combine(dataPath, $"{service}.db"))};Mode=ReadOnly";

    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = IsSqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A condition "<paramref name="column"/> is one of @ids" (a uuid column, or an upper-case text one on SQLite).</summary>
    public string In(string column) => IsSqlite ? $"{column} IN (SELECT value FROM json_each(@ids))" : $"{column} = ANY(@ids)";

    /// <summary>The CaseId an outbox row's JSON payload names, comparable with <see cref="In"/>'s ids.</summary>
    public string PayloadCaseId => IsSqlite ? "upper(json_extract(\"Payload\", '$.CaseId'))" : "(\"Payload\"::jsonb ->> 'CaseId')::uuid";

    public DbCommand Command(DbConnection connection, string sql, Guid[] ids)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        if (IsSqlite)
        {
            command.Parameters.Add(new SqliteParameter("ids", JsonSerializer.Serialize(ids.Select(id => id.ToString().ToUpperInvariant()))));
        }
        else
        {
            command.Parameters.Add(new NpgsqlParameter("ids", ids));
        }

        return command;
    }

    public Guid GetGuid(DbDataReader reader, int ordinal) => IsSqlite ? Guid.Parse(reader.GetString(ordinal)) : reader.GetGuid(ordinal);

    public DateTimeOffset GetInstant(DbDataReader reader, int ordinal) =>
        IsSqlite ? new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero) : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
