using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Hospitalisation;

public sealed class HospitalStayConfiguration : IEntityTypeConfiguration<HospitalStay>
{
    public void Configure(EntityTypeBuilder<HospitalStay> e)
    {
        e.ToTable("hospital_stays");
        e.HasKey(x => x.Id);
        e.Ignore(x => x.Hospital);
        e.HasIndex(x => x.StayId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        e.HasIndex(x => x.DischargeRequestId).IsUnique();
        // ListHospitalStays: a case's stays in the order of admission.
        e.HasIndex(x => new { x.CaseId, x.AdmittedAt, x.Id });
        e.Property(x => x.HospitalName).HasMaxLength(HospitalRef.NameMaxLength);
        e.Property(x => x.HospitalLocality).HasMaxLength(HospitalRef.LocalityMaxLength);
        e.Property(x => x.HospitalCountry).HasMaxLength(2);
        e.Property(x => x.Reason).HasMaxLength(HospitalStay.ReasonMaxLength);
        e.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(40);
        e.Property(x => x.DischargeNotes).HasMaxLength(HospitalStay.NotesMaxLength);
        e.Property(x => x.AdmittedByAgency).IsRequired().HasMaxLength(HospitalStay.RecordedByMaxLength);
        e.Property(x => x.AdmittedByClient).IsRequired().HasMaxLength(HospitalStay.RecordedByMaxLength);
        e.Property(x => x.DischargedByAgency).HasMaxLength(HospitalStay.RecordedByMaxLength);
        e.Property(x => x.DischargedByClient).HasMaxLength(HospitalStay.RecordedByMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
        e.Property(x => x.DischargeRequestHash).HasMaxLength(32);
    }
}
