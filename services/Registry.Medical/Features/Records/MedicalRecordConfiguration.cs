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
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(40);
        e.Property(r => r.DateOfBirth).HasMaxLength(MedicalRecord.DateOfBirthMaxLength);
        e.Property(r => r.Version).IsConcurrencyToken();
    }
}
