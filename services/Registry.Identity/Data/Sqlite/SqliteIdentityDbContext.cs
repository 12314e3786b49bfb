using Microsoft.EntityFrameworkCore;
using Registry.ServiceDefaults.Data;

namespace Registry.Identity.Data.Sqlite;

/// <summary>The same model on SQLite, for the embedded mode (its migrations live in Data/Sqlite/Migrations).</summary>
public sealed class SqliteIdentityDbContext(DbContextOptions<SqliteIdentityDbContext> options) : IdentityDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) =>
        conventions.UseRegistrySqliteConventions();
}

/// <summary>For the EF tools: the SQLite context at design time.</summary>
public sealed class SqliteIdentityDbContextFactory : SqliteDesignTimeFactory<SqliteIdentityDbContext>;
