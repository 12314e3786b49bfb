using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Registry.Custody.Data;

/// <summary>
/// Lets `dotnet ef migrations add … --context CustodyDbContext --output-dir Data/Migrations` build the PostgreSQL
/// context without a host or a server. Without it the tools take the SQLite subclass's factory for this
/// context too and write SQLite migrations into the PostgreSQL folder.
/// </summary>
public sealed class CustodyDbContextFactory : IDesignTimeDbContextFactory<CustodyDbContext>
{
    public CustodyDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CustodyDbContext>().UseNpgsql("Host=design-time").Options);
}
