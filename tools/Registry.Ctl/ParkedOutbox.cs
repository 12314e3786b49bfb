using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Registry.Ctl;

/// <summary>A row the outbox dispatcher parked: it could not be published, and waits for an operator.</summary>
public sealed record ParkedRow(
    long Id, Guid MessageId, string MessageType, string? OrderingKey, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset ParkedAt);

/// <summary>
/// The parked rows of a service's outbox (<c>outbox_messages</c>, those with <c>ParkedAt</c> set), read and
/// re-queued straight in the service's own database, with its connection string: the table is the
/// dispatcher's only state, so a row re-queued here is picked up by the running service within its poll
/// interval (2 s), with no call to the service. PostgreSQL (the server modes) or SQLite (the embedded mode,
/// where instants are stored as UTC ticks).
/// </summary>
public sealed class ParkedOutbox : IAsyncDisposable
{
    private readonly DbConnection _connection;

    private ParkedOutbox(DbConnection connection) => _connection = connection;

    /// <summary>Opens the database; <paramref name="provider"/> is <c>Postgres</c> or <c>Sqlite</c>, as the services' <c>Database:Provider</c>.</summary>
    /// <exception cref="ArgumentException">An unknown provider.</exception>
    public static async Task<ParkedOutbox> OpenAsync(string provider, string connectionString, CancellationToken ct = default)
    {
        DbConnection connection = provider.ToLowerInvariant() switch
        {
            "postgres" => new NpgsqlConnection(connectionString),
            // ReadWrite: a path that names no database is an error, not a new empty file.
            "sqlite" => new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadWrite }.ToString()),
            _ => throw new ArgumentException($"The provider must be Postgres or Sqlite, not '{provider}'.", nameof(provider)),
        };
        await connection.OpenAsync(ct);
        return new ParkedOutbox(connection);
    }

    /// <summary>The parked rows, oldest first, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<ParkedRow>> ListAsync(int max, CancellationToken ct = default)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT "Id", "MessageId", "MessageType", "OrderingKey", "Attempts", "LastError", "CreatedAt", "ParkedAt"
            FROM outbox_messages WHERE "ParkedAt" IS NOT NULL ORDER BY "Id" LIMIT @max
            """;
        AddParameter(command, "max", max);
        var rows = new List<ParkedRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ParkedRow(
                reader.GetInt64(0),
                reader.GetValue(1) is Guid id ? id : Guid.Parse(reader.GetString(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                Instant(reader.GetValue(6)),
                Instant(reader.GetValue(7))));
        }

        return rows;
    }

    /// <summary>
    /// Puts parked row <paramref name="id"/> (or every parked row, when null) back in the queue with a fresh count of
    /// attempts; its last error stays until the next attempt. Returns how many rows were re-queued (0: no such parked row).
    /// A re-queued event is published after the events of its case written since it was parked.
    /// </summary>
    public async Task<int> RetryAsync(long? id, CancellationToken ct = default)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            UPDATE outbox_messages SET "ParkedAt" = NULL, "NextAttemptAt" = NULL, "Attempts" = 0
            WHERE "ParkedAt" IS NOT NULL AND "SentAt" IS NULL AND (@id IS NULL OR "Id" = @id)
            """;
        AddParameter(command, "id", id);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null && command is NpgsqlCommand)
        {
            // An untyped null is "unknown" to PostgreSQL; `@id IS NULL OR "Id" = @id` needs a type.
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint;
        }

        command.Parameters.Add(parameter);
    }

    /// <summary>PostgreSQL returns a UTC timestamp; the registry's SQLite files hold UTC ticks.</summary>
    private static DateTimeOffset Instant(object value) => value switch
    {
        DateTimeOffset instant => instant.ToUniversalTime(),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        long ticks => new DateTimeOffset(ticks, TimeSpan.Zero),
        _ => throw new InvalidOperationException($"Unexpected instant {value} ({value.GetType()})."),
    };

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
