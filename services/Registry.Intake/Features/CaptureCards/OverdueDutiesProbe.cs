using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>
/// Counts intake's overdue GC III duties for <see cref="Gc3Metrics.Overdue"/>: capture cards, ICRC notifications and
/// weekly health reports late now, by the rules of <see cref="ListOverdueHandler"/> at the present moment (a card issued or
/// withdrawn, a notification acknowledged, is so before now). Each count reads a partial index of what is still owed
/// (<c>ix_capture_cards_owed</c>, <c>ix_notifications_unacknowledged</c>, the running weekly clocks), not every duty ever due.
/// </summary>
public sealed class OverdueDutiesProbe(IServiceScopeFactory scopes, TimeProvider clock) : IGaugeProbe
{
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
        var now = clock.GetUtcNow();
        Gc3Metrics.OverdueCount(Gc3Metrics.CaptureCard, await db.CaptureCards.AsNoTracking()
            .LongCountAsync(c => c.IssuedAt == null && c.WithdrawnAt == null && c.DueAt < now, cancellationToken));
        Gc3Metrics.OverdueCount(Gc3Metrics.IcrcNotification, await db.Notifications.AsNoTracking()
            .LongCountAsync(n => n.AcknowledgedAt == null && n.DueAt < now, cancellationToken));
        Gc3Metrics.OverdueCount(Gc3Metrics.WeeklyHealthReport, await db.WeeklyReportClocks.AsNoTracking()
            .LongCountAsync(c => c.DueAt != null && c.DueAt < now, cancellationToken));
    }
}
