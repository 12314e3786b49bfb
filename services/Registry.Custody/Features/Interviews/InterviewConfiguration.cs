using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Custody.Domain;

namespace Registry.Custody.Features.Interviews;

public sealed class InterviewConfiguration : IEntityTypeConfiguration<Interview>
{
    public void Configure(EntityTypeBuilder<Interview> e)
    {
        e.ToTable("custody_interviews");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.InterviewId).IsUnique();
        e.HasIndex(x => x.RequestId).IsUnique();
        // ListInterviews and the case file's last interview: a case's interviews, the latest started first.
        e.HasIndex(x => new { x.CaseId, x.StartedAt, x.Id });
        e.OwnsOne(x => x.Place, f =>
        {
            f.Property(p => p.Name).HasColumnName("PlaceName").HasMaxLength(Facility.NameMaxLength);
            f.Property(p => p.Locality).HasColumnName("PlaceLocality").HasMaxLength(Facility.LocalityMaxLength);
            f.Property(p => p.Country).HasColumnName("PlaceCountry").HasMaxLength(Facility.CountryLength);
        });
        e.Navigation(x => x.Place).IsRequired();
        e.Property(x => x.InterviewingAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.Interviewer).HasMaxLength(Interview.InterviewerMaxLength);
        e.Property(x => x.Language).HasMaxLength(Interview.LanguageMaxLength);
        e.OwnsOne(x => x.Interpreter, p =>
        {
            p.Property(x => x.Name).HasColumnName("InterpreterName").HasMaxLength(InterviewParticipant.NameMaxLength);
            p.Property(x => x.Agency).HasColumnName("InterpreterAgency").HasMaxLength(InterviewParticipant.AgencyMaxLength);
            p.Property(x => x.Function).HasColumnName("InterpreterFunction").HasMaxLength(InterviewParticipant.FunctionMaxLength);
        });
        e.OwnsMany(x => x.Present, p =>
        {
            p.ToTable("custody_interview_present");
            p.WithOwner().HasForeignKey("InterviewRowId");
            // The shadow key EF generates (the order of entry, which the mapping keeps).
            p.Property<int>("Id");
            p.HasKey("Id");
            p.Property(x => x.Name).HasMaxLength(InterviewParticipant.NameMaxLength);
            p.Property(x => x.Agency).HasMaxLength(InterviewParticipant.AgencyMaxLength);
            p.Property(x => x.Function).HasMaxLength(InterviewParticipant.FunctionMaxLength);
            // A partner's ListInterviews: the interviews its agency was present at.
            p.HasIndex(x => x.Agency);
        });
        e.Property(x => x.Fitness).HasMaxLength(Interview.FitnessMaxLength);
        e.Property(x => x.FitnessAssessmentId).HasMaxLength(36);
        e.Property(x => x.OverrideReason).HasMaxLength(Interview.OverrideReasonMaxLength);
        e.Property(x => x.RecordedByAgency).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.RecordedByClient).HasMaxLength(CustodyRecord.AgencyMaxLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
    }
}
