using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Encounters;

public sealed class EncounterConfiguration : IEntityTypeConfiguration<Encounter>
{
    public void Configure(EntityTypeBuilder<Encounter> e)
    {
        e.ToTable("encounters");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.EncounterId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        // ListEncounters: a case's encounters in the order they took place.
        e.HasIndex(x => new { x.CaseId, x.OccurredAt, x.Id });
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.Place).HasMaxLength(Encounter.PlaceMaxLength);
        e.Property(x => x.Clinician).HasMaxLength(Encounter.ClinicianMaxLength);
        e.Property(x => x.Notes).HasMaxLength(Encounter.NotesMaxLength);
        e.Property(x => x.RecordedByAgency).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.RecordedByClient).IsRequired().HasMaxLength(Encounter.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}
