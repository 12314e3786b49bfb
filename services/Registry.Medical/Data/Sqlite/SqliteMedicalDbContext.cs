using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
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

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteMedicalDbContext</c> build the context without a host.</summary>
public sealed class SqliteMedicalDbContextFactory : IDesignTimeDbContextFactory<SqliteMedicalDbContext>
{
    public SqliteMedicalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteMedicalDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
