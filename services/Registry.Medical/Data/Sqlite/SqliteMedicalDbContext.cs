using Microsoft.EntityFrameworkCore;
using Registry.ServiceDefaults.Data;

namespace Registry.Medical.Data.Sqlite;

/// <summary>
/// The same model on SQLite, for the embedded mode. A type of its own because EF Core migrations
/// are provider-specific: these live in Data/Sqlite/Migrations, PostgreSQL's in Data/Migrations.
/// </summary>
public sealed class SqliteMedicalDbContext(DbContextOptions<SqliteMedicalDbContext> options) : MedicalDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) =>
        conventions.UseRegistrySqliteConventions();
}

/// <summary>For the EF tools: the SQLite context at design time.</summary>
public sealed class SqliteMedicalDbContextFactory : SqliteDesignTimeFactory<SqliteMedicalDbContext>;
