using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Duplicates;

public sealed class DuplicateDecisionConfiguration : IEntityTypeConfiguration<DuplicateDecision>
{
    public void Configure(EntityTypeBuilder<DuplicateDecision> e)
    {
        e.ToTable("duplicate_decisions");
        e.HasKey(d => d.Id);
        e.Property(d => d.Id).UseIdentityByDefaultColumn();
        e.HasIndex(d => d.DecisionId).IsUnique();
        e.HasIndex(d => d.RequestId).IsUnique();
        e.HasIndex(d => new { d.CaseId, d.Id });
        e.HasIndex(d => new { d.OtherCaseId, d.Id });
        e.Property(d => d.Status).HasConversion<string>().HasMaxLength(20);
        e.Property(d => d.Note).HasMaxLength(DuplicateCandidate.ResolutionNoteMaxLength);
        e.Property(d => d.DecidedByAgency).HasMaxLength(DuplicateDecision.AgencyMaxLength);
        e.Property(d => d.DecidedByClient).HasMaxLength(DuplicateDecision.ClientMaxLength);
        e.Property(d => d.RequestHash).HasMaxLength(CaptureCase.RequestHashLength);
    }
}
