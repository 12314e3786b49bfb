using Npgsql;

namespace Registry.Testing;

/// <summary>
/// Removing what a test made (a database, a virtual host) after the tests ran. A failure there must not
/// turn a run whose tests passed red: it is written to standard error, with the PostgreSQL SQLSTATE when
/// there is one, and the next run's sweep removes the leftover.
/// </summary>
public static class TestCleanup
{
    /// <summary>Where failures are written; standard error unless a test points it elsewhere.</summary>
    public static TextWriter Log { get; set; } = Console.Error;

    /// <summary>Runs a cleanup step; true when it succeeded, false (and a log line) when it failed.</summary>
    public static async Task<bool> TryAsync(string what, Func<Task> cleanup)
    {
        try
        {
            await cleanup();
            return true;
        }
        catch (Exception ex)
        {
            var sqlState = Find<PostgresException>(ex)?.SqlState;
            var cause = sqlState is null ? $"{ex.GetType().Name}: {ex.Message}" : $"SQLSTATE {sqlState}: {ex.Message}";
            Log.WriteLine($"[test cleanup] {what} failed ({TestInfrastructure.RunId}); left for a later run's sweep. {cause}");
            return false;
        }
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
