using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Effects;
using Registry.Intake.Features.Identity;
using Registry.Intake.Features.Notifications;
using Registry.Intake.Features.Registration;
using Registry.Intake.Features.Sharing;
using Registry.Intake.Features.Status;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Intake.Data;

public class IntakeDbContext : DbContext, IOutboxStore, IInboxStore, IAccessAuditStore
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
    public DbSet<IdentityAssertion> IdentityAssertions => Set<IdentityAssertion>();
    public DbSet<StatusChange> StatusChanges => Set<StatusChange>();
    public DbSet<PersonalEffect> PersonalEffects => Set<PersonalEffect>();
    public DbSet<DuplicateCandidate> DuplicateCandidates => Set<DuplicateCandidate>();
    public DbSet<DuplicateDecision> DuplicateDecisions => Set<DuplicateDecision>();
    public DbSet<CaptureCard> CaptureCards => Set<CaptureCard>();
    public DbSet<IcrcNotification> Notifications => Set<IcrcNotification>();
    public DbSet<CaseShare> CaseShares => Set<CaseShare>();
    public DbSet<WeeklyReportClock> WeeklyReportClocks => Set<WeeklyReportClock>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<AccessEventRow> AccessEvents => Set<AccessEventRow>();

    /// <summary>Instants are stored in UTC whatever offset a value carries (<see cref="UtcInstants"/>).</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) => conventions.UseUtcInstants();

    protected override void OnModelCreating(ModelBuilder model)
    {
        var npgsql = Database.IsNpgsql();
        if (npgsql)
        {
            model.HasPostgresExtension("pg_trgm"); // the trigram index of name search
        }

        // Each feature configures the tables it owns (Features/*/…Configuration.cs).
        model.ApplyConfiguration(new CaptureCaseConfiguration(npgsql));
        model.ApplyConfiguration(new IdentityAssertionConfiguration());
        model.ApplyConfiguration(new StatusChangeConfiguration());
        model.ApplyConfiguration(new PersonalEffectConfiguration());
        model.ApplyConfiguration(new DuplicateCandidateConfiguration());
        model.ApplyConfiguration(new DuplicateDecisionConfiguration());
        model.ApplyConfiguration(new CaptureCardConfiguration());
        model.ApplyConfiguration(new IcrcNotificationConfiguration());
        model.ApplyConfiguration(new CaseShareConfiguration());
        model.ApplyConfiguration(new WeeklyReportClockConfiguration());
        model.AddOutbox();
        model.AddInbox();
        model.AddAccessEvents(Database.IsNpgsql());
    }
}
