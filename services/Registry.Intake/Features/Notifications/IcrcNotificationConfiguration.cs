using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Notifications;

public sealed class IcrcNotificationConfiguration : IEntityTypeConfiguration<IcrcNotification>
{
    /// <summary>The table of each notification's summary and payload, keyed by the notification's "Id".</summary>
    public const string BodiesTable = "notification_bodies";

    public void Configure(EntityTypeBuilder<IcrcNotification> e)
    {
        e.ToTable("notifications");
        e.HasKey(n => n.Id);
        e.Property(n => n.Id).UseIdentityByDefaultColumn();
        e.HasIndex(n => n.NotificationId).IsUnique();
        e.HasIndex(n => n.Sequence).IsUnique();
        // The notifications waiting for their place (NotificationSequencer): few, whatever the size of the feed.
        // ("Sequence" is in it, all null, only to keep it on this table: "Id" alone is a column of the bodies' table as well.)
        e.HasIndex(n => new { n.Id, n.Sequence }, "ix_notifications_unplaced").HasFilter("\"Sequence\" IS NULL");
        e.HasIndex(n => new { n.DueAt, n.Id });
        // The overdue gauge counts the notifications the ICRC has not acknowledged (OverdueDutiesProbe) from these alone.
        e.HasIndex(n => n.DueAt, "ix_notifications_unacknowledged").HasFilter("\"AcknowledgedAt\" IS NULL");
        e.Property(n => n.Kind).HasConversion<string>().HasMaxLength(30);
        e.Property(n => n.Summary).HasMaxLength(IcrcNotification.SummaryMaxLength);
        // The wide part, written once and never changed, in a table of its own (EF Core entity splitting). A
        // notification's row is rewritten twice after its insert, when the sequencer gives its place and when the
        // ICRC acknowledges it; neither can be a HOT update ("Sequence" is indexed, "AcknowledgedAt" is in a partial
        // index's predicate), so each wrote a new copy of the whole row, payload included, and left the old one to
        // autovacuum: 1,684 bytes of heap a notification of 950 live (docs/performance.md, "Waste cut").
        e.SplitToTable(BodiesTable, t =>
        {
            t.Property(n => n.Summary);
            t.Property(n => n.Payload);
        });
    }
}
