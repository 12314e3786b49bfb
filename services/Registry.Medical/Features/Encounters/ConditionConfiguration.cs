using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Encounters;

public sealed class ConditionConfiguration : IEntityTypeConfiguration<Condition>
{
    public void Configure(EntityTypeBuilder<Condition> e)
    {
        e.ToTable("conditions");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.ConditionId).IsUnique();
        e.HasIndex(x => new { x.CaseId, x.Id });
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.Severity).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.Description).HasMaxLength(Condition.DescriptionMaxLength);
        e.Property(x => x.BodySite).HasMaxLength(Condition.BodySiteMaxLength);
        e.Property(x => x.Cause).HasMaxLength(Condition.CauseMaxLength);
    }
}
