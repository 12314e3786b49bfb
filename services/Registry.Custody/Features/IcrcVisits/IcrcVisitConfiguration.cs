using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Custody.Domain;

namespace Registry.Custody.Features.IcrcVisits;

public sealed class IcrcVisitConfiguration : IEntityTypeConfiguration<IcrcVisit>
{
    public void Configure(EntityTypeBuilder<IcrcVisit> e)
    {
        e.ToTable("icrc_visits");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.VisitId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        e.HasIndex(x => new { x.VisitedAt, x.Id });
        e.Property(x => x.VisitingAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.OwnsOne(x => x.Facility, f =>
        {
            f.Property(p => p.Name).HasColumnName("FacilityName").HasMaxLength(Facility.NameMaxLength);
            f.Property(p => p.Locality).HasColumnName("FacilityLocality").HasMaxLength(Facility.LocalityMaxLength);
            f.Property(p => p.Country).HasColumnName("FacilityCountry").HasMaxLength(Facility.CountryLength);
        });
        e.Navigation(x => x.Facility).IsRequired();
        // text[] on PostgreSQL, JSON text on SQLite.
        e.PrimitiveCollection(x => x.Delegates);
        e.OwnsMany(x => x.PrivateInterviews, p =>
        {
            p.ToTable("icrc_visit_private_interviews");
            p.WithOwner().HasForeignKey("VisitRowId");
            // Each person once per visit.
            p.HasKey("VisitRowId", nameof(PrivateInterview.CaseId));
            // ListIcrcVisits: the visits in which a case was interviewed in private.
            p.HasIndex(x => x.CaseId);
        });
        e.Property(x => x.RecordedByClient).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}
