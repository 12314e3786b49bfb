using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Data.Sqlite;

/// <summary>
/// The same model on SQLite, for the embedded mode. A type of its own because EF Core migrations
/// are provider-specific: these live in Data/Sqlite/Migrations, PostgreSQL's in Data/Migrations.
/// </summary>
public sealed class SqliteIntakeDbContext(DbContextOptions<SqliteIntakeDbContext> options) : IntakeDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) =>
        conventions.UseRegistrySqliteConventions();
}

/// <summary>
/// Lets <c>dotnet ef migrations add … --context SqliteIntakeDbContext</c> build the context without a host.
/// Beware: <c>IDesignTimeDbContextFactory&lt;out TContext&gt;</c> is covariant, so <c>--context IntakeDbContext</c>
/// finds this factory too and writes a SQLite migration into the PostgreSQL folder (check the
/// <c>[DbContext(typeof(...))]</c> of the Designer file); the PostgreSQL migrations of DuplicateKeys and
/// NotificationSequenceAfterSave were added with this class's interface removed for the while.
/// </summary>
public sealed class SqliteIntakeDbContextFactory : IDesignTimeDbContextFactory<SqliteIntakeDbContext>
{
    public SqliteIntakeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteIntakeDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
