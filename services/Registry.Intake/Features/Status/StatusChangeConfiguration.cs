using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Status;

public sealed class StatusChangeConfiguration : IEntityTypeConfiguration<StatusChange>
{
    public void Configure(EntityTypeBuilder<StatusChange> e)
    {
        e.ToTable("status_changes");
        e.HasKey(s => s.Id);
        e.Property(s => s.Id).UseIdentityByDefaultColumn();
        e.HasIndex(s => new { s.CaseId, s.Id });
        e.Property(s => s.From).HasConversion<string>().HasMaxLength(40);
        e.Property(s => s.To).HasConversion<string>().HasMaxLength(40);
        e.Property(s => s.DecisionReference).HasMaxLength(StatusChange.DecisionReferenceMaxLength);
        e.Property(s => s.DecidedBy).HasMaxLength(StatusChange.DecidedByMaxLength);
    }
}
