using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add … --context XDbContext --output-dir Data/Migrations</c> build a service's
/// PostgreSQL context without a host or a server. Each service needs one: otherwise the tools take the SQLite
/// subclass's factory for the base context too and write SQLite migrations into the PostgreSQL folder.
/// </summary>
public abstract class PostgresDesignTimeFactory<TDb> : IDesignTimeDbContextFactory<TDb>
    where TDb : DbContext
{
    public TDb CreateDbContext(string[] args) =>
        (TDb)Activator.CreateInstance(typeof(TDb), new DbContextOptionsBuilder<TDb>().UseNpgsql("Host=design-time").Options)!;
}

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteXDbContext --output-dir Data/Sqlite/Migrations</c> build the SQLite context.</summary>
public abstract class SqliteDesignTimeFactory<TDb> : IDesignTimeDbContextFactory<TDb>
    where TDb : DbContext
{
    public TDb CreateDbContext(string[] args) =>
        (TDb)Activator.CreateInstance(typeof(TDb), new DbContextOptionsBuilder<TDb>().UseSqlite("Data Source=design-time.db").Options)!;
}
