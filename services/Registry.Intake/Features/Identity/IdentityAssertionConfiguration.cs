using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Identity;

public sealed class IdentityAssertionConfiguration : IEntityTypeConfiguration<IdentityAssertion>
{
    public void Configure(EntityTypeBuilder<IdentityAssertion> e)
    {
        e.ToTable("identity_assertions");
        e.HasKey(a => a.Id);
        e.Property(a => a.Id).UseIdentityByDefaultColumn();
        e.HasIndex(a => new { a.CaseId, a.Id });
        e.Property(a => a.Field).HasMaxLength(IdentityAssertion.FieldMaxLength);
        e.Property(a => a.Value).HasMaxLength(IdentityAssertion.ValueMaxLength);
        e.Property(a => a.SourceKind).HasConversion<string>().HasMaxLength(20);
        e.Property(a => a.DocumentType).HasMaxLength(AssertionSource.DocumentTypeMaxLength);
        e.Property(a => a.DocumentNumber).HasMaxLength(AssertionSource.DocumentNumberMaxLength);
        e.Property(a => a.ReportedBy).HasMaxLength(AssertionSource.ReportedByMaxLength);
        e.Property(a => a.Note).HasMaxLength(AssertionSource.NoteMaxLength);
        e.Ignore(a => a.Source);
    }
}
