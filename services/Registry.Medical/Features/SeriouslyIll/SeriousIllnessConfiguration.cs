using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.SeriouslyIll;

public sealed class SeriousIllnessConfiguration : IEntityTypeConfiguration<SeriousIllness>
{
    public void Configure(EntityTypeBuilder<SeriousIllness> e)
    {
        e.ToTable("serious_illnesses");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.SeriousIllnessId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        // Null for spells not ended by UnmarkSeriouslyIll; NULLs are distinct in a unique index (PostgreSQL, SQLite).
        e.HasIndex(x => x.EndRequestId).IsUnique();
        e.HasIndex(x => new { x.CaseId, x.Id });
        e.Property(x => x.Grounds).HasMaxLength(SeriousIllness.GroundsMaxLength);
        e.Property(x => x.EndNote).HasMaxLength(SeriousIllness.EndNoteMaxLength);
        e.Property(x => x.MarkedByAgency).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.MarkedByClient).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.EndedByAgency).HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.EndedByClient).HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
        e.Property(x => x.EndRequestHash).HasMaxLength(32);
    }
}

public sealed class WeeklyHealthReportConfiguration : IEntityTypeConfiguration<WeeklyHealthReport>
{
    public void Configure(EntityTypeBuilder<WeeklyHealthReport> e)
    {
        e.ToTable("weekly_health_reports");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.ReportId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        // ListWeeklyHealthReports: a case's reports in the order of reported_at.
        e.HasIndex(x => new { x.CaseId, x.ReportedAt, x.Id });
        e.Property(x => x.State).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.Notes).HasMaxLength(WeeklyHealthReport.NotesMaxLength);
        e.Property(x => x.RecordedByAgency).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.RecordedByClient).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}
