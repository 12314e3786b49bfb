using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Effects;

public sealed class PersonalEffectConfiguration : IEntityTypeConfiguration<PersonalEffect>
{
    public void Configure(EntityTypeBuilder<PersonalEffect> e)
    {
        e.ToTable("personal_effects");
        e.HasKey(p => p.Id);
        e.Property(p => p.Id).UseIdentityByDefaultColumn();
        e.HasIndex(p => p.EffectId).IsUnique();
        e.HasIndex(p => new { p.CaseId, p.Id });
        // A concurrent retry of the same request, or a second use of a receipt number, loses on these.
        e.HasIndex(p => new { p.RequestId, p.ItemIndex }).IsUnique();
        e.HasIndex(p => new { p.CaseId, p.ReceiptNumber, p.ItemIndex }).IsUnique();
        e.Property(p => p.RequestHash).HasMaxLength(CaptureCase.RequestHashLength);
        e.Property(p => p.ReceiptNumber).HasMaxLength(PersonalEffect.ReceiptNumberMaxLength);
        e.Property(p => p.Description).HasMaxLength(PersonalEffect.DescriptionMaxLength);
        e.Property(p => p.CurrencyCode).HasMaxLength(PersonalEffect.CurrencyCodeLength);
        e.Property(p => p.TakenByName).HasMaxLength(PersonalEffect.TakenByNameMaxLength);
        e.Property(p => p.TakenByRank).HasMaxLength(PersonalEffect.TakenByRankMaxLength);
        e.Property(p => p.TakenByUnit).HasMaxLength(PersonalEffect.TakenByUnitMaxLength);
        // The fate is final once it leaves HELD (GC III Art. 18): writers racing on one item cannot both record one.
        e.Property(p => p.Fate).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        e.Property(p => p.FateNote).HasMaxLength(PersonalEffect.FateNoteMaxLength);
    }
}
