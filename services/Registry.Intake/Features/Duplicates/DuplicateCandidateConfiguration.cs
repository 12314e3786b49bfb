using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Duplicates;

public sealed class DuplicateCandidateConfiguration : IEntityTypeConfiguration<DuplicateCandidate>
{
    public void Configure(EntityTypeBuilder<DuplicateCandidate> e)
    {
        e.ToTable("duplicate_candidates");
        e.HasKey(d => d.Id);
        e.Property(d => d.Id).UseIdentityByDefaultColumn();
        e.HasIndex(d => d.CandidateId).IsUnique();
        e.HasIndex(d => new { d.CaseId, d.OtherCaseId }).IsUnique();
        e.HasIndex(d => new { d.Status, d.Id });
        e.HasIndex(d => d.OtherCaseId);
        e.Property(d => d.Reasons).HasMaxLength(DuplicateCandidate.ReasonsMaxLength);
        e.Property(d => d.Comparisons).HasMaxLength(DuplicateCandidate.ComparisonsMaxLength);
        // A pair is decided once against racing writers: a merge and a "not a duplicate" cannot both resolve it.
        e.Property(d => d.Status).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        e.Property(d => d.ResolutionNote).HasMaxLength(DuplicateCandidate.ResolutionNoteMaxLength);
        e.Property(d => d.DecidedByAgency).HasMaxLength(DuplicateDecision.AgencyMaxLength);
        e.Property(d => d.DecidedByClient).HasMaxLength(DuplicateDecision.ClientMaxLength);
    }
}
