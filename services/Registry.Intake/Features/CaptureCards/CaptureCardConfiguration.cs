using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.CaptureCards;

public sealed class CaptureCardConfiguration : IEntityTypeConfiguration<CaptureCard>
{
    public void Configure(EntityTypeBuilder<CaptureCard> e)
    {
        e.ToTable("capture_cards");
        e.HasKey(c => c.Id);
        e.Property(c => c.Id).UseIdentityByDefaultColumn();
        e.HasIndex(c => c.CardId).IsUnique();
        e.HasIndex(c => new { c.CaseId, c.Id });
        // ListOverdue walks cards by due time.
        e.HasIndex(c => new { c.DueAt, c.Id });
        // The overdue gauge counts the cards still owed (OverdueDutiesProbe) from these alone, not every card ever due.
        e.HasIndex(c => c.DueAt, "ix_capture_cards_owed").HasFilter("\"IssuedAt\" IS NULL AND \"WithdrawnAt\" IS NULL");
        e.Property(c => c.Reason).HasConversion<string>().HasMaxLength(20);
        // A card is issued once and withdrawn once (GC III Art. 70): of writers that read it owed, the first to
        // issue, withdraw (a merge) or move its clock (an arrival) wins; the others' UPDATE finds it changed.
        e.Property(c => c.IssuedAt).IsConcurrencyToken();
        e.Property(c => c.WithdrawnAt).IsConcurrencyToken();
    }
}
