using Microsoft.EntityFrameworkCore;
using Registry.Custody.Domain;
using Registry.Custody.Features.Sharing;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Custody.Data;

public class CustodyDbContext : DbContext, IInboxStore, IOutboxStore, IAccessAuditStore
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
    public DbSet<CustodyShare> Shares => Set<CustodyShare>();
    public DbSet<ReturnRiskAssessment> ReturnRiskAssessments => Set<ReturnRiskAssessment>();
    public DbSet<ReturnWishRecord> ReturnWishes => Set<ReturnWishRecord>();
    public DbSet<ThirdStateTransfer> ThirdStateTransfers => Set<ThirdStateTransfer>();
    public DbSet<ExchangeList> ExchangeLists => Set<ExchangeList>();
    public DbSet<ExchangeListEntry> ExchangeListEntries => Set<ExchangeListEntry>();
    public DbSet<ExchangeListRequest> ExchangeListRequests => Set<ExchangeListRequest>();
    public DbSet<Interview> Interviews => Set<Interview>();
    public DbSet<IcrcVisit> IcrcVisits => Set<IcrcVisit>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<AccessEventRow> AccessEvents => Set<AccessEventRow>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    /// <summary>Instants are stored in UTC whatever offset a value carries (<see cref="UtcInstants"/>).</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) => conventions.UseUtcInstants();

    protected override void OnModelCreating(ModelBuilder model)
    {
        // Each feature configures its own entities (Features/*/…Configuration.cs).
        model.ApplyConfigurationsFromAssembly(typeof(CustodyDbContext).Assembly);
        model.AddInbox();
        model.AddAccessEvents(Database.IsNpgsql());
        model.AddOutbox();
    }
}
