using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Data;

public class IntakeDbContext : DbContext, IOutboxStore
{
    public IntakeDbContext(DbContextOptions<IntakeDbContext> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="Sqlite.SqliteIntakeDbContext"/>, which carries the SQLite migrations.</summary>
    protected IntakeDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<CaptureCase> Cases => Set<CaptureCase>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<CaptureCase>(e =>
        {
            e.ToTable("cases");
            e.HasKey(c => c.Number);
            e.Property(c => c.Number).UseIdentityByDefaultColumn();
            e.HasIndex(c => c.CaseId).IsUnique();
            e.HasIndex(c => c.RequestId).IsUnique();
            e.Property(c => c.RequestHash).HasMaxLength(32);
            e.Property(c => c.FamilyName).HasMaxLength(200);
            e.Property(c => c.GivenNames).HasMaxLength(200);
            e.Property(c => c.Rank).HasMaxLength(100);
            e.Property(c => c.ServiceNumber).HasMaxLength(64);
            e.Property(c => c.Nationality).HasMaxLength(2);
            e.Property(c => c.CapturePlace).HasMaxLength(200);
            e.Property(c => c.CapturingUnit).HasMaxLength(200);
            e.Property(c => c.CapturingAgency).HasMaxLength(200);
            e.Ignore(c => c.CaseNumber);
            e.Ignore(c => c.DateOfBirth);
        });
        model.AddOutbox();
    }
}
