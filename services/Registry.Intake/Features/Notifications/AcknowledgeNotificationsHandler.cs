using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Notifications;

/// <summary>What one acknowledgement did: how many notifications it acknowledged, through which place, at what time.</summary>
public sealed record NotificationsAcknowledged(long Count, long Through, DateTimeOffset? At);

/// <summary>
/// The ICRC acknowledges receipt of its feed up to a place (GC III Art. 122: a notification is delivered when the
/// Central Tracing Agency has it, not when the registry wrote it into a stream that may have broken). Every
/// notification through that place not yet acknowledged is marked delivered now, in one UPDATE over the range of
/// the feed between the last acknowledged place and this one. The acknowledged notifications are thus always a
/// beginning of the feed, so acknowledging is monotonic (an older place changes nothing) and idempotent (a
/// notification keeps its first acknowledgement's time).
/// </summary>
public sealed class AcknowledgeNotificationsHandler(IntakeDbContext db, TimeProvider clock, ILogger<AcknowledgeNotificationsHandler> logger)
{
    public async Task<NotificationsAcknowledged> HandleAsync(long through, CancellationToken ct)
    {
        // Places are given without gaps, each after every place already visible (NotificationSequencer), so a place
        // no notification holds lies beyond the feed's end: acknowledging it would acknowledge notifications not yet
        // placed, which the reader cannot have received.
        if (!await db.Notifications.AnyAsync(n => n.Sequence == through, ct))
        {
            var errors = new FieldViolations();
            errors.Add("cursor", "names no notification of the feed (it lies beyond the feed's end): pass the cursor of a notification received");
            errors.ThrowIfAny();
        }

        // The last acknowledged place, found by walking back the sequence index over the unacknowledged tail only.
        var acknowledged = await db.Notifications.Where(n => n.AcknowledgedAt != null).MaxAsync(n => n.Sequence, ct) ?? 0;
        if (through <= acknowledged)
        {
            return new NotificationsAcknowledged(0, acknowledged, null);
        }

        // "AcknowledgedAt IS NULL" keeps the first time when a concurrent acknowledgement covered part of the range.
        var now = clock.GetUtcNow().ToMicroseconds();
        var count = await db.Notifications
            .Where(n => n.Sequence > acknowledged && n.Sequence <= through && n.AcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.AcknowledgedAt, now), ct);
        if (count > 0)
        {
            logger.LogInformation("ICRC acknowledged the feed through {Cursor}: {Count} notifications delivered", through, count);
        }

        return new NotificationsAcknowledged(count, through, count > 0 ? now : null);
    }
}
