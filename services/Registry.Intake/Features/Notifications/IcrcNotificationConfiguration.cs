using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Notifications;

public sealed class IcrcNotificationConfiguration : IEntityTypeConfiguration<IcrcNotification>
{
    public void Configure(EntityTypeBuilder<IcrcNotification> e)
    {
        e.ToTable("notifications");
        e.HasKey(n => n.Id);
        e.Property(n => n.Id).UseIdentityByDefaultColumn();
        e.HasIndex(n => n.NotificationId).IsUnique();
        e.HasIndex(n => n.Sequence).IsUnique();
        // The notifications waiting for their place (NotificationSequencer): few, whatever the size of the feed.
        e.HasIndex(n => n.Id, "ix_notifications_unplaced").HasFilter("\"Sequence\" IS NULL");
        e.HasIndex(n => new { n.DueAt, n.Id });
        // The overdue gauge counts the notifications the ICRC has not acknowledged (OverdueDutiesProbe) from these alone.
        e.HasIndex(n => n.DueAt, "ix_notifications_unacknowledged").HasFilter("\"AcknowledgedAt\" IS NULL");
        e.Property(n => n.Kind).HasConversion<string>().HasMaxLength(30);
        e.Property(n => n.Summary).HasMaxLength(IcrcNotification.SummaryMaxLength);
    }
}
