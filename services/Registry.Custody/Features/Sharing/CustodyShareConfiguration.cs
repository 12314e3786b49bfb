using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Registry.Custody.Features.Sharing;

public sealed class CustodyShareConfiguration : IEntityTypeConfiguration<CustodyShare>
{
    public void Configure(EntityTypeBuilder<CustodyShare> e)
    {
        e.ToTable("custody_shares");
        e.HasKey(s => s.ShareId);
        // The access check's look-up of a case's partners.
        e.HasIndex(s => s.CaseId);
        e.Property(s => s.PartnerAgency).HasMaxLength(CustodyShare.AgencyMaxLength);
    }
}
