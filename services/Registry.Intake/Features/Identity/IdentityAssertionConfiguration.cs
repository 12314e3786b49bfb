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
        // A case's assertions are read by case (a few to a few dozen rows, sorted by Id in memory by the database). On CaseId
        // alone, PostgreSQL's B-tree deduplication keeps one entry per case with a list of its rows: 112 bytes a case
        // where (CaseId, Id) took 53 bytes a row, 394 for the 7.4 rows of a registration (docs/performance.md, "Waste cut").
        e.HasIndex(a => a.CaseId);
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
