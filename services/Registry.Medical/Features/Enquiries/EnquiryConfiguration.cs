using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Enquiries;

public sealed class EnquiryConfiguration : IEntityTypeConfiguration<Enquiry>
{
    public void Configure(EntityTypeBuilder<Enquiry> e)
    {
        e.ToTable("enquiries");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.EnquiryId).IsUnique();
        e.HasIndex(x => x.Reference).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        e.HasIndex(x => x.CloseRequestId).IsUnique();
        // ListEnquiries: by status (the open ones), or one case's.
        e.HasIndex(x => new { x.Status, x.Id });
        e.HasIndex(x => new { x.CaseId, x.Id });
        e.Property(x => x.Reference).HasMaxLength(Enquiry.ReferenceMaxLength);
        e.Property(x => x.Grounds).HasConversion<string>().HasMaxLength(60);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        e.Property(x => x.Circumstances).HasMaxLength(Enquiry.CircumstancesMaxLength);
        e.Property(x => x.Findings).HasMaxLength(Enquiry.FindingsMaxLength);
        e.Property(x => x.OpenedByAgency).IsRequired().HasMaxLength(Enquiry.RecordedByMaxLength);
        e.Property(x => x.OpenedByClient).IsRequired().HasMaxLength(Enquiry.RecordedByMaxLength);
        e.Property(x => x.ClosedByAgency).HasMaxLength(Enquiry.RecordedByMaxLength);
        e.Property(x => x.ClosedByClient).HasMaxLength(Enquiry.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
        e.Property(x => x.CloseRequestHash).HasMaxLength(32);
        e.Property(x => x.Version).IsConcurrencyToken();
    }
}
