using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Registry.Intake.Data;

/// <summary>
/// Lets `dotnet ef migrations add … --context IntakeDbContext --output-dir Data/Migrations` build the PostgreSQL
/// context without a host or a server. Without it the tools take the SQLite subclass's factory for this
/// context too and write SQLite migrations into the PostgreSQL folder.
/// </summary>
public sealed class IntakeDbContextFactory : IDesignTimeDbContextFactory<IntakeDbContext>
{
    public IntakeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<IntakeDbContext>().UseNpgsql("Host=design-time").Options);
}
