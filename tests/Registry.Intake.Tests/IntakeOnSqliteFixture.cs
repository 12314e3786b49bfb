using Microsoft.Data.Sqlite;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Intake on SQLite, the embedded mode's store (<c>Database:Provider=Sqlite</c>, a database file of its own),
/// with the same code, migrations and gRPC surface; the bus is the fixture's RabbitMQ virtual host as for the
/// other fixtures (the PostgreSQL database the base fixture creates stays unused).
/// </summary>
public sealed class IntakeOnSqliteFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"registry-intake-{Guid.NewGuid():N}.db");

    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [RegistryDatabase.ProviderKey] = "Sqlite",
        ["ConnectionStrings:Intake"] = $"Data Source={_file}",
    };

    protected override Task StoppedAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-journal", _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}
