using Microsoft.EntityFrameworkCore;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Medical.Data;

public class MedicalDbContext : DbContext, IInboxStore, IOutboxStore, IAccessAuditStore
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
    public DbSet<AccessEventRow> AccessEvents => Set<AccessEventRow>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<TreatmentCertificate> TreatmentCertificates => Set<TreatmentCertificate>();
    public DbSet<HospitalStay> HospitalStays => Set<HospitalStay>();
    public DbSet<Death> Deaths => Set<Death>();
    public DbSet<Enquiry> Enquiries => Set<Enquiry>();
    public DbSet<FitnessAssessment> FitnessAssessments => Set<FitnessAssessment>();
    public DbSet<SeriousIllness> SeriousIllnesses => Set<SeriousIllness>();
    public DbSet<WeeklyHealthReport> WeeklyHealthReports => Set<WeeklyHealthReport>();

    /// <summary>Instants are stored in UTC whatever offset a value carries (<see cref="UtcInstants"/>).</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) => conventions.UseUtcInstants();

    protected override void OnModelCreating(ModelBuilder model)
    {
        // Each feature configures its own entities (Features/*/…Configuration.cs).
        model.ApplyConfigurationsFromAssembly(typeof(MedicalDbContext).Assembly);
        model.AddInbox();
        model.AddAccessEvents(Database.IsNpgsql());
        model.AddOutbox();
    }
}
