using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Fitness;

public sealed class FitnessAssessmentConfiguration : IEntityTypeConfiguration<FitnessAssessment>
{
    public void Configure(EntityTypeBuilder<FitnessAssessment> e)
    {
        e.ToTable("fitness_assessments");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.AssessmentId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        // GetFitness (the latest of a purpose assessed by an instant: one index seek) and ListFitnessAssessments with a
        // purpose; the list of every purpose pages by (case, assessed_at, id).
        e.HasIndex(x => new { x.CaseId, x.Purpose, x.AssessedAt, x.Id });
        e.HasIndex(x => new { x.CaseId, x.AssessedAt, x.Id });
        e.Property(x => x.Purpose).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.Conditions).HasMaxLength(FitnessAssessment.ConditionsMaxLength);
        e.Property(x => x.ClinicalReasons).HasMaxLength(FitnessAssessment.ClinicalReasonsMaxLength);
        e.Property(x => x.AssessedBy).IsRequired().HasMaxLength(FitnessAssessment.AssessedByMaxLength);
        e.Property(x => x.AssessedByAgency).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.AssessedByClient).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}
