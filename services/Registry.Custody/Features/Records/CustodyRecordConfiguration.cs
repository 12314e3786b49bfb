using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Custody.Domain;

namespace Registry.Custody.Features.Records;

public sealed class CustodyRecordConfiguration : IEntityTypeConfiguration<CustodyRecord>
{
    public void Configure(EntityTypeBuilder<CustodyRecord> e)
    {
        e.ToTable("custody_records");
        e.HasKey(r => r.CaseId);
        e.Property(r => r.CaseNumber).HasMaxLength(CustodyRecord.CaseNumberMaxLength);
        e.Property(r => r.State).HasConversion<string>().HasMaxLength(40);
        e.Property(r => r.CapturePlace).HasMaxLength(CustodyRecord.PlaceMaxLength);
        e.Property(r => r.DateOfBirth).HasMaxLength(CustodyRecord.DateOfBirthMaxLength);
        e.Property(r => r.CapturingAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(r => r.CustodianAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.OwnsOne(r => r.Facility, f =>
        {
            f.Property(x => x.Name).HasColumnName("FacilityName").HasMaxLength(Facility.NameMaxLength);
            f.Property(x => x.Locality).HasColumnName("FacilityLocality").HasMaxLength(Facility.LocalityMaxLength);
            f.Property(x => x.Country).HasColumnName("FacilityCountry").HasMaxLength(Facility.CountryLength);
        });
        e.OwnsOne(r => r.TransferTo, f =>
        {
            f.Property(x => x.Name).HasColumnName("TransferToName").HasMaxLength(Facility.NameMaxLength);
            f.Property(x => x.Locality).HasColumnName("TransferToLocality").HasMaxLength(Facility.LocalityMaxLength);
            f.Property(x => x.Country).HasColumnName("TransferToCountry").HasMaxLength(Facility.CountryLength);
        });
        e.Property(r => r.TransferToAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(r => r.Hospital).HasMaxLength(CustodyRecord.PlaceMaxLength);
        e.Property(r => r.ReturnRisk).HasConversion<string>().HasMaxLength(20);
        e.Property(r => r.ReturnWish).HasConversion<string>().HasMaxLength(30);
        e.Property(r => r.HeadHash).HasMaxLength(CustodyRecord.HashLength);
        // Two writers that loaded the same version cannot both append to the timeline.
        e.Property(r => r.Version).IsConcurrencyToken();
    }
}
