using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Sharing;

public sealed class CaseShareConfiguration : IEntityTypeConfiguration<CaseShare>
{
    public void Configure(EntityTypeBuilder<CaseShare> e)
    {
        e.ToTable("case_shares");
        e.HasKey(s => s.Id);
        e.Property(s => s.Id).UseIdentityByDefaultColumn();
        e.HasIndex(s => s.ShareId).IsUnique();
        // A concurrent retry of the same ShareCase loses on this.
        e.HasIndex(s => s.RequestId).IsUnique();
        // The access check's look-up of a case's partners, and ListShares by case, in share order.
        e.HasIndex(s => new { s.CaseId, s.Id });
        // ListSharedCases and ListShares by partner, in share order.
        e.HasIndex(s => new { s.PartnerAgency, s.Id });
        e.Property(s => s.CaseNumber).HasMaxLength(32);
        e.Property(s => s.PartnerAgency).HasMaxLength(CaseShare.AgencyMaxLength);
        e.Property(s => s.Purpose).HasMaxLength(CaseShare.PurposeMaxLength);
        e.Property(s => s.SharedByClientId).HasMaxLength(CaseShare.ClientIdMaxLength);
        e.Property(s => s.SharedByAgency).HasMaxLength(CaseShare.AgencyMaxLength);
        e.Property(s => s.RevokedByClientId).HasMaxLength(CaseShare.ClientIdMaxLength);
        e.Property(s => s.RevokedByAgency).HasMaxLength(CaseShare.AgencyMaxLength);
        e.Property(s => s.RevocationReason).HasMaxLength(CaseShare.ReasonMaxLength);
        e.Property(s => s.RequestHash).HasMaxLength(CaptureCase.RequestHashLength);
        // Revoked once: of two revocations racing, the second finds the first's and answers it.
        e.Property(s => s.RevokedAt).IsConcurrencyToken();
    }
}
