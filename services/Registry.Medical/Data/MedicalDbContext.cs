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
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<MedicalRecord>(e =>
        {
            e.ToTable("medical_records");
            e.HasKey(r => r.CaseId);
            e.Property(r => r.CaseNumber).HasMaxLength(32);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(40);
        });
        model.AddInbox();
    }
}
