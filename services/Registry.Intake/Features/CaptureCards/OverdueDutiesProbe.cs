using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>
/// Counts intake's overdue GC III duties for <see cref="Gc3Metrics.Overdue"/>: capture cards, ICRC notifications and
/// weekly health reports late now, by the rules of <see cref="ListOverdueHandler"/> (each count reads its
/// <c>(DueAt, Id)</c> index up to now).
/// </summary>
public sealed class OverdueDutiesProbe(IServiceScopeFactory scopes, TimeProvider clock) : IGaugeProbe
{
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
        var now = clock.GetUtcNow();
        Gc3Metrics.OverdueCount(Gc3Metrics.CaptureCard, await db.CaptureCards.AsNoTracking()
            .LongCountAsync(c => c.DueAt < now && (c.IssuedAt == null || c.IssuedAt > now) && (c.WithdrawnAt == null || c.WithdrawnAt > now), cancellationToken));
        Gc3Metrics.OverdueCount(Gc3Metrics.IcrcNotification, await db.Notifications.AsNoTracking()
            .LongCountAsync(n => n.DueAt < now && (n.AcknowledgedAt == null || n.AcknowledgedAt > now), cancellationToken));
        Gc3Metrics.OverdueCount(Gc3Metrics.WeeklyHealthReport, await db.WeeklyReportClocks.AsNoTracking()
            .LongCountAsync(c => c.DueAt != null && c.DueAt < now, cancellationToken));
    }
}
