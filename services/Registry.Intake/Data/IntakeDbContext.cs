using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Data;

public class IntakeDbContext : DbContext, IOutboxStore, IInboxStore
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
    public DbSet<CaptureCard> CaptureCards => Set<CaptureCard>();
    public DbSet<IcrcNotification> Notifications => Set<IcrcNotification>();
    public DbSet<NotificationCounter> NotificationCounters => Set<NotificationCounter>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

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
            e.OwnsOne(c => c.Identity, IdentityColumns);
            e.Navigation(c => c.Identity).IsRequired();
            e.Property(c => c.SearchText).HasMaxLength(1000);
            var search = e.HasIndex(c => c.SearchText);
            if (Database.IsNpgsql())
            {
                // Name search is LIKE '%part%' on the normalised names; on PostgreSQL a trigram GIN index
                // answers it without a table scan. Other stores get a plain index and the same query.
                model.HasPostgresExtension("pg_trgm");
                search.HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_cases_search_text_trgm");
            }

            e.HasIndex(c => c.CapturedAt);
            e.HasIndex(c => c.CapturingAgency);
            e.Property(c => c.ServiceNumberKey).HasMaxLength(64);
            e.HasIndex(c => c.ServiceNumberKey);
            e.Property(c => c.NameKey).HasMaxLength(500);
            e.Property(c => c.LatinNameKey).HasMaxLength(500);
            e.Property(c => c.CapturePlace).HasMaxLength(200);
            e.Property(c => c.CapturingUnit).HasMaxLength(200);
            e.Property(c => c.CapturingAgency).HasMaxLength(200);
            e.Property(c => c.CaptureCircumstances).HasMaxLength(4000);
            e.Property(c => c.StatusCategory).HasConversion<string>().HasMaxLength(40);
            e.Property(c => c.Revision).IsConcurrencyToken();
            e.Ignore(c => c.CaseNumber);
            e.Ignore(c => c.IsMerged);
            e.Ignore(c => c.DuplicateKeys);
        });
        model.Entity<IdentityAssertion>(e =>
        {
            e.ToTable("identity_assertions");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).UseIdentityByDefaultColumn();
            e.HasIndex(a => new { a.CaseId, a.Id });
            e.Property(a => a.Field).HasMaxLength(40);
            e.Property(a => a.Value).HasMaxLength(1000);
            e.Property(a => a.SourceKind).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.DocumentType).HasMaxLength(100);
            e.Property(a => a.DocumentNumber).HasMaxLength(64);
            e.Property(a => a.ReportedBy).HasMaxLength(200);
            e.Property(a => a.Note).HasMaxLength(1000);
            e.Ignore(a => a.Source);
        });
        model.Entity<StatusChange>(e =>
        {
            e.ToTable("status_changes");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).UseIdentityByDefaultColumn();
            e.HasIndex(s => new { s.CaseId, s.Id });
            e.Property(s => s.From).HasConversion<string>().HasMaxLength(40);
            e.Property(s => s.To).HasConversion<string>().HasMaxLength(40);
            e.Property(s => s.DecisionReference).HasMaxLength(200);
            e.Property(s => s.DecidedBy).HasMaxLength(200);
        });
        model.Entity<PersonalEffect>(e =>
        {
            e.ToTable("personal_effects");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).UseIdentityByDefaultColumn();
            e.HasIndex(p => p.EffectId).IsUnique();
            e.HasIndex(p => new { p.CaseId, p.Id });
            // A concurrent retry of the same request, or a second use of a receipt number, loses on these.
            e.HasIndex(p => new { p.RequestId, p.ItemIndex }).IsUnique();
            e.HasIndex(p => new { p.CaseId, p.ReceiptNumber, p.ItemIndex }).IsUnique();
            e.Property(p => p.RequestHash).HasMaxLength(32);
            e.Property(p => p.ReceiptNumber).HasMaxLength(64);
            e.Property(p => p.Description).HasMaxLength(500);
            e.Property(p => p.CurrencyCode).HasMaxLength(3);
            e.Property(p => p.TakenByName).HasMaxLength(200);
            e.Property(p => p.TakenByRank).HasMaxLength(100);
            e.Property(p => p.TakenByUnit).HasMaxLength(200);
            e.Property(p => p.Fate).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.FateNote).HasMaxLength(1000);
        });
        model.Entity<DuplicateCandidate>(e =>
        {
            e.ToTable("duplicate_candidates");
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).UseIdentityByDefaultColumn();
            e.HasIndex(d => d.CandidateId).IsUnique();
            e.HasIndex(d => new { d.CaseId, d.OtherCaseId }).IsUnique();
            e.HasIndex(d => new { d.Status, d.Id });
            e.HasIndex(d => d.OtherCaseId);
            e.Property(d => d.Reasons).HasMaxLength(1000);
            e.Property(d => d.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(d => d.ResolutionNote).HasMaxLength(1000);
        });
        model.Entity<CaptureCard>(e =>
        {
            e.ToTable("capture_cards");
            e.HasKey(c => c.Id);
            e.Property(c => c.Id).UseIdentityByDefaultColumn();
            e.HasIndex(c => c.CardId).IsUnique();
            e.HasIndex(c => new { c.CaseId, c.Id });
            // ListOverdue walks cards by due time.
            e.HasIndex(c => new { c.DueAt, c.Id });
            e.Property(c => c.Reason).HasConversion<string>().HasMaxLength(20);
        });
        model.Entity<IcrcNotification>(e =>
        {
            e.ToTable("notifications");
            e.HasKey(n => n.Id);
            e.Property(n => n.Id).UseIdentityByDefaultColumn();
            e.HasIndex(n => n.NotificationId).IsUnique();
            e.HasIndex(n => n.Sequence).IsUnique();
            e.HasIndex(n => new { n.DueAt, n.Id });
            e.Property(n => n.Kind).HasConversion<string>().HasMaxLength(30);
            e.Property(n => n.Summary).HasMaxLength(1000);
        });
        model.Entity<NotificationCounter>(e =>
        {
            e.ToTable("notification_counter");
            e.HasKey(c => c.Id);
            e.Property(c => c.Id).ValueGeneratedNever();
            e.HasData(new NotificationCounter { Id = 1, Last = 0 });
        });
        model.AddOutbox();
        model.AddInbox();
    }

    private static void IdentityColumns(OwnedNavigationBuilder<CaptureCase, PersonIdentity> i)
    {
        // Column names without the owner prefix: these are the case's own columns.
        i.Property(p => p.FamilyName).HasColumnName("FamilyName").HasMaxLength(200);
        i.Property(p => p.GivenNames).HasColumnName("GivenNames").HasMaxLength(200);
        i.Property(p => p.FamilyNameLatin).HasColumnName("FamilyNameLatin").HasMaxLength(200);
        i.Property(p => p.GivenNamesLatin).HasColumnName("GivenNamesLatin").HasMaxLength(200);
        i.Property(p => p.Rank).HasColumnName("Rank").HasMaxLength(100);
        i.Property(p => p.ServiceNumber).HasColumnName("ServiceNumber").HasMaxLength(64);
        i.Property(p => p.BirthYear).HasColumnName("BirthYear");
        i.Property(p => p.BirthMonth).HasColumnName("BirthMonth");
        i.Property(p => p.BirthDay).HasColumnName("BirthDay");
        i.Property(p => p.PlaceOfBirth).HasColumnName("PlaceOfBirth").HasMaxLength(200);
        i.Property(p => p.Nationality).HasColumnName("Nationality").HasMaxLength(2);
        i.Property(p => p.DependentPower).HasColumnName("DependentPower").HasMaxLength(2);
        i.Property(p => p.Sex).HasColumnName("Sex").HasMaxLength(10);
        i.Property(p => p.Languages).HasColumnName("Languages").HasMaxLength(1000);
        i.Property(p => p.MilitaryUnit).HasColumnName("MilitaryUnit").HasMaxLength(200);
        i.Property(p => p.Role).HasColumnName("Role").HasMaxLength(200);
        i.Property(p => p.InServiceSince).HasColumnName("InServiceSince").HasMaxLength(10);
        i.Property(p => p.FatherFirstName).HasColumnName("FatherFirstName").HasMaxLength(200);
        i.Property(p => p.MotherMaidenName).HasColumnName("MotherMaidenName").HasMaxLength(200);
        i.Property(p => p.PersonToInform).HasColumnName("PersonToInform").HasMaxLength(200);
        i.Property(p => p.PersonToInformAddress).HasColumnName("PersonToInformAddress").HasMaxLength(500);
        i.Ignore(p => p.DateOfBirth);
        i.Ignore(p => p.HasName);
        // Duplicate detection reads every open case of one nationality and birth year. On PostgreSQL the
        // migration DuplicateKeys makes this index cover what it reads (INCLUDE the case's number, id,
        // merge pointer, service number and name keys), so that it never visits the table: EF cannot
        // declare columns of the owner in an index of the owned type, hence SQL in that migration.
        i.HasIndex(p => new { p.Nationality, p.BirthYear });
    }
}
