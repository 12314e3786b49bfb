using Microsoft.EntityFrameworkCore;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Data;

public class MedicalDbContext : DbContext, IInboxStore
{
    public MedicalDbContext(DbContextOptions<MedicalDbContext> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="Sqlite.SqliteMedicalDbContext"/>, which carries the SQLite migrations.</summary>
    protected MedicalDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<MedicalRecord> Records => Set<MedicalRecord>();
    public DbSet<Encounter> Encounters => Set<Encounter>();
    public DbSet<Condition> Conditions => Set<Condition>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<MedicalRecord>(e =>
        {
            e.ToTable("medical_records");
            e.HasKey(r => r.CaseId);
            e.Property(r => r.CaseNumber).HasMaxLength(32);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(40);
            e.Property(r => r.Version).IsConcurrencyToken();
        });
        model.Entity<Encounter>(e =>
        {
            e.ToTable("encounters");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.EncounterId).IsUnique();
            e.HasIndex(x => x.RequestId).IsUnique();
            // ListEncounters: a case's encounters in the order they took place.
            e.HasIndex(x => new { x.CaseId, x.OccurredAt, x.Id });
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(40);
            e.Property(x => x.Place).HasMaxLength(200);
            e.Property(x => x.Clinician).HasMaxLength(200);
            e.Property(x => x.Notes).HasMaxLength(4000);
            e.Property(x => x.RequestHash).HasMaxLength(32);
        });
        model.Entity<Condition>(e =>
        {
            e.ToTable("conditions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.ConditionId).IsUnique();
            e.HasIndex(x => new { x.CaseId, x.Id });
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(40);
            e.Property(x => x.Severity).HasConversion<string>().HasMaxLength(40);
            e.Property(x => x.Description).HasMaxLength(500);
            e.Property(x => x.BodySite).HasMaxLength(200);
            e.Property(x => x.Cause).HasMaxLength(500);
        });
        model.AddInbox();
    }
}
