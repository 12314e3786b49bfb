using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Records;

public sealed class MedicalRecordConfiguration : IEntityTypeConfiguration<MedicalRecord>
{
    public void Configure(EntityTypeBuilder<MedicalRecord> e)
    {
        e.ToTable("medical_records");
        e.HasKey(r => r.CaseId);
        e.Property(r => r.CaseNumber).HasMaxLength(MedicalRecord.CaseNumberMaxLength);
        e.Property(r => r.CapturingAgency).HasMaxLength(MedicalRecord.AgencyMaxLength).HasDefaultValue("");
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(40);
        e.Property(r => r.DateOfBirth).HasMaxLength(MedicalRecord.DateOfBirthMaxLength);
        e.Property(r => r.Version).IsConcurrencyToken();
        // The overdue gauge counts the inspections owed and late (OverdueInspectionsProbe) from these records alone.
        e.HasIndex(r => r.ExaminationDueBy, "ix_medical_records_inspections_owed")
            .HasFilter("\"MergedIntoCaseId\" IS NULL AND \"DiedAt\" IS NULL AND \"CaptivityEndedAt\" IS NULL AND \"EscapedAt\" IS NULL");
        // The name intake registered, as nullable columns of the record (null on records opened before it was kept).
        e.OwnsOne(r => r.Name, n =>
        {
            n.Property(x => x.FamilyName).HasColumnName("FamilyName").HasMaxLength(MedicalRecord.NameMaxLength);
            n.Property(x => x.GivenNames).HasColumnName("GivenNames").HasMaxLength(MedicalRecord.NameMaxLength);
            n.Property(x => x.FamilyNameLatin).HasColumnName("FamilyNameLatin").HasMaxLength(MedicalRecord.NameMaxLength);
            n.Property(x => x.GivenNamesLatin).HasColumnName("GivenNamesLatin").HasMaxLength(MedicalRecord.NameMaxLength);
            n.Ignore(x => x.Native);
            n.Ignore(x => x.Latin);
        });
    }
}
