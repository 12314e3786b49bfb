using Microsoft.EntityFrameworkCore;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Data;

public class CustodyDbContext : DbContext, IInboxStore, IOutboxStore
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
    public DbSet<CustodyEvent> Events => Set<CustodyEvent>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

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
            e.Property(r => r.CustodianAgency).HasMaxLength(200);
            e.OwnsOne(r => r.Facility, f =>
            {
                f.Property(x => x.Name).HasColumnName("FacilityName").HasMaxLength(200);
                f.Property(x => x.Locality).HasColumnName("FacilityLocality").HasMaxLength(200);
                f.Property(x => x.Country).HasColumnName("FacilityCountry").HasMaxLength(2);
            });
            e.Property(r => r.HeadHash).HasMaxLength(64);
            // Two writers that loaded the same version cannot both append to the timeline.
            e.Property(r => r.Version).IsConcurrencyToken();
        });
        model.Entity<CustodyEvent>(e =>
        {
            e.ToTable("custody_events");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.CaseId, x.Sequence }).IsUnique();
            e.HasIndex(x => x.RequestId).IsUnique().HasFilter("\"RequestId\" IS NOT NULL");
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(40);
            e.Property(x => x.FacilityName).HasMaxLength(200);
            e.Property(x => x.FacilityLocality).HasMaxLength(200);
            e.Property(x => x.FacilityCountry).HasMaxLength(2);
            e.Property(x => x.CustodianAgency).HasMaxLength(200);
            e.Property(x => x.Note).HasMaxLength(1000);
            e.Property(x => x.PreviousHash).HasMaxLength(64);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.RequestHash).HasMaxLength(32);
            e.Ignore(x => x.Facility);
        });
        model.AddInbox();
        model.AddOutbox();
    }
}
