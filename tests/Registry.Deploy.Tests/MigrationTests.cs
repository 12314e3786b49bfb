using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Registry.Custody.Data;
using Registry.Custody.Data.Sqlite;
using Registry.Intake.Data;
using Registry.Intake.Data.Sqlite;
using Registry.Medical.Data;
using Registry.Medical.Data.Sqlite;

namespace Registry.Deploy.Tests;

/// <summary>
/// Every service model has its migrations on both providers: a model changed without
/// <c>dotnet ef migrations add</c> for PostgreSQL and for SQLite would start with a schema that does not
/// match it (the embedded mode and the server modes each migrate at start-up).
/// </summary>
public sealed class MigrationTests
{
    public static TheoryData<string, Func<DbContext>> Contexts => new()
    {
        { "intake (PostgreSQL)", () => Create(new IntakeDbContextFactory()) },
        { "intake (SQLite)", () => Create(new SqliteIntakeDbContextFactory()) },
        { "custody (PostgreSQL)", () => Create(new CustodyDbContextFactory()) },
        { "custody (SQLite)", () => Create(new SqliteCustodyDbContextFactory()) },
        { "medical (PostgreSQL)", () => Create(new MedicalDbContextFactory()) },
        { "medical (SQLite)", () => Create(new SqliteMedicalDbContextFactory()) },
    };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void The_migrations_match_the_model(string store, Func<DbContext> create)
    {
        using var db = create();

        Assert.False(db.Database.HasPendingModelChanges(), $"{store}: the model has changes no migration holds; add one for each provider.");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    private static DbContext Create<TDb>(IDesignTimeDbContextFactory<TDb> factory) where TDb : DbContext => factory.CreateDbContext([]);
}
