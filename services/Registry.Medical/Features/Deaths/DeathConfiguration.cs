using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Deaths;

public sealed class DeathConfiguration : IEntityTypeConfiguration<Death>
{
    public void Configure(EntityTypeBuilder<Death> e)
    {
        e.ToTable("deaths");
        e.HasKey(x => x.Id);
        e.Ignore(x => x.Certificate);
        e.HasIndex(x => x.DeathId).IsUnique();
        // One death per record: two deaths recorded at once cannot both be stored.
        e.HasIndex(x => x.CaseId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        e.Property(x => x.Place).HasMaxLength(Death.PlaceMaxLength);
        e.Property(x => x.Cause).HasMaxLength(Death.CauseMaxLength);
        e.Property(x => x.Manner).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.CertificateNumber).HasMaxLength(DeathCertificate.NumberMaxLength);
        e.Property(x => x.CertificateIssuedBy).HasMaxLength(DeathCertificate.IssuedByMaxLength);
        e.Property(x => x.CertifiedByAgency).IsRequired().HasMaxLength(Death.RecordedByMaxLength);
        e.Property(x => x.CertifiedByClient).IsRequired().HasMaxLength(Death.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}
