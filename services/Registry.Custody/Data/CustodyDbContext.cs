using Microsoft.EntityFrameworkCore;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Data;

public class CustodyDbContext : DbContext, IInboxStore
{
    public CustodyDbContext(DbContextOptions<CustodyDbContext> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="Sqlite.SqliteCustodyDbContext"/>, which carries the SQLite migrations.</summary>
    protected CustodyDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<CustodyRecord> Records => Set<CustodyRecord>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<CustodyRecord>(e =>
        {
            e.ToTable("custody_records");
            e.HasKey(r => r.CaseId);
            e.Property(r => r.CaseNumber).HasMaxLength(32);
            e.Property(r => r.State).HasConversion<string>().HasMaxLength(40);
            e.Property(r => r.CapturePlace).HasMaxLength(200);
            e.Property(r => r.CapturingAgency).HasMaxLength(200);
        });
        model.AddInbox();
    }
}
