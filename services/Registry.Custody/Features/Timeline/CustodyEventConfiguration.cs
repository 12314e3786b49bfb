using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Custody.Domain;

namespace Registry.Custody.Features.Timeline;

public sealed class CustodyEventConfiguration : IEntityTypeConfiguration<CustodyEvent>
{
    public void Configure(EntityTypeBuilder<CustodyEvent> e)
    {
        e.ToTable("custody_events");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.CaseId, x.Sequence }).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique().HasFilter("\"RequestId\" IS NOT NULL");
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.FacilityName).HasMaxLength(Facility.NameMaxLength);
        e.Property(x => x.FacilityLocality).HasMaxLength(Facility.LocalityMaxLength);
        e.Property(x => x.FacilityCountry).HasMaxLength(Facility.CountryLength);
        e.Property(x => x.CustodianAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.Note).HasMaxLength(CustodyEvent.NoteMaxLength);
        e.Property(x => x.PreviousHash).HasMaxLength(CustodyRecord.HashLength);
        e.Property(x => x.Hash).HasMaxLength(CustodyRecord.HashLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
        e.Ignore(x => x.Facility);
    }
}
