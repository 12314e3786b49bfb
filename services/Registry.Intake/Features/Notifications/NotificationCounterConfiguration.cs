using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Notifications;

/// <summary>The one row the feed's sequence is taken from (<see cref="IcrcFeed.SequenceNotificationsAsync"/>).</summary>
public sealed class NotificationCounterConfiguration : IEntityTypeConfiguration<NotificationCounter>
{
    public void Configure(EntityTypeBuilder<NotificationCounter> e)
    {
        e.ToTable("notification_counter");
        e.HasKey(c => c.Id);
        e.Property(c => c.Id).ValueGeneratedNever();
        e.HasData(new { Id = 1, Last = 0L });
    }
}
