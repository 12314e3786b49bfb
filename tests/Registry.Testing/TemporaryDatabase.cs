namespace Registry.Testing;

/// <summary>
/// An empty database for one test, dropped when the test is done with it, passed or failed:
/// <c>await using var database = await infrastructure.TemporaryDatabaseAsync("purpose");</c> in place of
/// <see cref="TestInfrastructure.CreateDatabaseAsync"/> with a try/finally around the test that calls
/// <see cref="TestInfrastructure.DropDatabaseAsync"/>. Disposing drops it by that method, so a drop that fails is
/// logged, never thrown (it cannot hide the test's own failure), and a later run's sweep removes what is left.
/// </summary>
public sealed class TemporaryDatabase : IAsyncDisposable
{
    private readonly TestInfrastructure _infrastructure;

    internal TemporaryDatabase(TestInfrastructure infrastructure, string connectionString)
    {
        _infrastructure = infrastructure;
        ConnectionString = connectionString;
    }

    /// <summary>The database's connection string, as <see cref="TestInfrastructure.CreateDatabaseAsync"/> returns it.</summary>
    public string ConnectionString { get; }

    /// <summary>Drops the database (<see cref="TestInfrastructure.DropDatabaseAsync"/>): logs a failure, never throws.</summary>
    public async ValueTask DisposeAsync() => await _infrastructure.DropDatabaseAsync(ConnectionString);
}
