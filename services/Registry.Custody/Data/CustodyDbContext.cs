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

    /// <summary>
    /// Saves; a timeline event refused by the unique (case, sequence) index is reported as the lost race it is
    /// (<see cref="DbUpdateConcurrencyException"/>): another writer appended to the same record first. EF Core may send
    /// the event's INSERT before the record's versioned UPDATE, so the index, not the version, can be what catches the
    /// race; either way the writer's read-check-write runs again on what now stands (LostRace.RetryOnVersionAsync).
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException && IsTimelineSequenceTaken(ex))
        {
            throw new DbUpdateConcurrencyException("Another writer appended to this custody timeline first.", ex);
        }
    }

    private static bool IsTimelineSequenceTaken(DbUpdateException ex) => ex.InnerException switch
    {
        Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } pg => pg.ConstraintName == TimelineSequenceIndex,
        // SQLite names the columns: "UNIQUE constraint failed: custody_events.CaseId, custody_events.Sequence".
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite => sqlite.Message.Contains("custody_events.Sequence", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>The unique index on custody_events (CaseId, Sequence), as EF Core names it.</summary>
    private const string TimelineSequenceIndex = "IX_custody_events_CaseId_Sequence";

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
