using Microsoft.EntityFrameworkCore;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Data;

public sealed class MedicalDbContext(DbContextOptions<MedicalDbContext> options) : DbContext(options), IInboxStore
{
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
