using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Registry.Medical.Data;

/// <summary>
/// Lets `dotnet ef migrations add … --context MedicalDbContext --output-dir Data/Migrations` build the PostgreSQL
/// context without a host or a server. Without it the tools take the SQLite subclass's factory for this
/// context too and write SQLite migrations into the PostgreSQL folder.
/// </summary>
public sealed class MedicalDbContextFactory : IDesignTimeDbContextFactory<MedicalDbContext>
{
    public MedicalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MedicalDbContext>().UseNpgsql("Host=design-time").Options);
}
