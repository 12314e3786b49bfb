using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Custody.Domain;

namespace Registry.Custody.Features.Returns;

public sealed class ReturnRiskAssessmentConfiguration : IEntityTypeConfiguration<ReturnRiskAssessment>
{
    public void Configure(EntityTypeBuilder<ReturnRiskAssessment> e)
    {
        e.ToTable("return_risk_assessments");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.AssessmentId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        // ListReturnRiskAssessments pages by (case, assessed_at, id), the latest first.
        e.HasIndex(x => new { x.CaseId, x.AssessedAt, x.Id });
        e.Property(x => x.Level).HasConversion<string>().HasMaxLength(20);
        e.Property(x => x.Grounds).IsRequired().HasMaxLength(ReturnRiskAssessment.GroundsMaxLength);
        e.Property(x => x.AssessedBy).IsRequired().HasMaxLength(ReturnRiskAssessment.AssessedByMaxLength);
        e.Property(x => x.AssessedByAgency).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.AssessedByClient).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}

public sealed class ReturnWishRecordConfiguration : IEntityTypeConfiguration<ReturnWishRecord>
{
    public void Configure(EntityTypeBuilder<ReturnWishRecord> e)
    {
        e.ToTable("return_wishes");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.WishId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        e.HasIndex(x => new { x.CaseId, x.TakenAt, x.Id });
        e.Property(x => x.Wish).HasConversion<string>().HasMaxLength(30);
        e.Property(x => x.TakenBy).IsRequired().HasMaxLength(ReturnWishRecord.TakenByMaxLength);
        e.Property(x => x.TakenByAgency).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.TakenByClient).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.Note).HasMaxLength(ReturnWishRecord.NoteMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}

public sealed class ThirdStateTransferConfiguration : IEntityTypeConfiguration<ThirdStateTransfer>
{
    public void Configure(EntityTypeBuilder<ThirdStateTransfer> e)
    {
        e.ToTable("third_state_transfers");
        e.HasKey(x => x.Id);
        // A transfer to a third state ends captivity: one per case.
        e.HasIndex(x => x.CaseId).IsUnique();
        e.Property(x => x.ReceivingState).IsRequired().HasMaxLength(Facility.CountryLength);
        e.Property(x => x.ReceivingAuthority).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.WillingnessAndAbility).IsRequired().HasMaxLength(ThirdStateTransfer.WillingnessMaxLength);
        e.Property(x => x.AssuredBy).IsRequired().HasMaxLength(ThirdStateTransfer.AssuredByMaxLength);
        e.Property(x => x.RecordedByAgency).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.RecordedByClient).IsRequired().HasMaxLength(CustodyRecord.AgencyMaxLength);
    }
}
