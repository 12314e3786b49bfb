using Npgsql;

namespace Registry.Testing;

/// <summary>Faults of a PostgreSQL store made on purpose (test triggers), to see how the registry answers them.</summary>
public static class StoreFaults
{
    /// <summary>
    /// A trigger on intake's <c>cases</c> that raises PostgreSQL's 22001 (<c>string_data_right_truncation</c>) for a case
    /// of <paramref name="familyName"/>, as a column too short for a value would: a value validation let through and the
    /// store refuses on every attempt. Disposing drops the trigger.
    /// </summary>
    public static async Task<IAsyncDisposable> RefuseFamilyNameAsync(string connectionString, string familyName)
    {
        var name = $"refuse_value_{Guid.NewGuid():N}";
        await ExecuteAsync(connectionString, $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW."FamilyName" = '{familyName.Replace("'", "''", StringComparison.Ordinal)}' THEN
                    RAISE EXCEPTION 'a value refused by the test' USING ERRCODE = 'string_data_right_truncation';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION {name}();
            """);
        return new Dropped(() => ExecuteAsync(connectionString, $"DROP TRIGGER IF EXISTS {name} ON cases; DROP FUNCTION IF EXISTS {name}()"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Dropped(Func<Task> drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await drop();
    }
}
