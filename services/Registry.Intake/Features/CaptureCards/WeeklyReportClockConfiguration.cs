using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.CaptureCards;

public sealed class WeeklyReportClockConfiguration : IEntityTypeConfiguration<WeeklyReportClock>
{
    public void Configure(EntityTypeBuilder<WeeklyReportClock> e)
    {
        e.ToTable("weekly_report_clocks");
        e.HasKey(c => c.Id);
        e.Property(c => c.Id).UseIdentityByDefaultColumn();
        // One clock per medical record: two first events at once cannot both insert one.
        e.HasIndex(c => c.CaseId).IsUnique();
        // ListOverdue walks clocks by due time.
        e.HasIndex(c => new { c.DueAt, c.Id });
        // Two events of one record applied at once: the second's UPDATE finds the version moved and is retried.
        e.Property(c => c.RecordVersion).IsConcurrencyToken();
    }
}
