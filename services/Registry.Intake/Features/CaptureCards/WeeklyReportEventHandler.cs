using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>
/// Medical's facts about the seriously ill or wounded (GC III Art. 122) as the Information Bureau keeps them: the weekly
/// health report clock of each medical record, for the overdue view (<see cref="ListOverdueHandler"/>), and the state of
/// health owed to the ICRC. Called by the consumer inside the transaction that records the message as applied.
/// </summary>
/// <remarks>
/// The clock follows versions: each event carries the medical record's version after the change, and only a newer one
/// moves the clock, so an event delivered late or out of order (they travel on one queue but are applied concurrently and
/// retried) changes nothing. The ICRC is told every fact once (the inbox), in whatever order they arrive: Art. 122's
/// "state of health" is the category of the weekly report (improving, stable, deteriorating, critical); the clinical
/// notes never leave medical. A clock of a merged case is not moved here: medical, which alone knows both records'
/// clocks, re-publishes the survivor's and stops the merged one's (<see cref="WeeklyReportClockMerged"/>).
/// </remarks>
public sealed class WeeklyReportEventHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    /// <returns>The case that answers for it, or null when not a case of this register (nothing is kept).</returns>
    public Task<CaptureCase?> HandleAsync(SeriouslyIllMarked m, CancellationToken ct) =>
        ApplyAsync(m.CaseId, m.RecordVersion, m.NextReportDueAt,
            c => $"Seriously ill or wounded: {IcrcFeed.Describe(c)} since {m.Since:yyyy-MM-dd}; the state of health follows every week.", ct);

    public Task<CaptureCase?> HandleAsync(WeeklyHealthReportRecorded m, CancellationToken ct) =>
        ApplyAsync(m.CaseId, m.RecordVersion, m.NextReportDueAt,
            c => $"State of health of {IcrcFeed.Describe(c)}, seriously ill or wounded, on {m.ReportedAt:yyyy-MM-dd}: {m.State.ToLowerInvariant()}.", ct);

    /// <summary>The clock stops. The ICRC is told unless it stopped at death (reported to the ICRC on its own, Art. 120).</summary>
    public Task<CaptureCase?> HandleAsync(SeriouslyIllUnmarked m, CancellationToken ct) =>
        ApplyAsync(m.CaseId, m.RecordVersion, null,
            m.Died ? null : c => $"No longer seriously ill or wounded: {IcrcFeed.Describe(c)} from {m.Until:yyyy-MM-dd}.", ct);

    /// <summary>Medical moved a clock onto the survivor: the survivor's clock runs as medical says, the merged one's stops.</summary>
    public async Task<CaptureCase?> HandleAsync(WeeklyReportClockMerged m, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        if (await cases.FindOwnerAsync(m.SurvivorCaseId, ct) is not { } owner)
        {
            return null;
        }

        await ApplyClockAsync(m.SurvivorCaseId, m.SurvivorRecordVersion, m.NextReportDueAt, now, ct);
        await ApplyClockAsync(m.MergedCaseId, m.MergedRecordVersion, null, now, ct);
        return owner;
    }

    private async Task<CaptureCase?> ApplyAsync(Guid caseId, long version, DateTimeOffset? dueAt, Func<CaptureCase, string>? summary, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        if (await cases.FindOwnerAsync(caseId, ct) is not { } owner)
        {
            return null; // not a case of this register: nothing is owed here
        }

        if (summary is not null)
        {
            // The notification hangs off the owner as read: a merge committed meanwhile makes this delivery try again.
            await cases.EnsureUnchangedAsync(ct, owner);
            db.RaiseNotification(owner, NotificationKind.StateOfHealth, summary(owner), now);
        }

        await ApplyClockAsync(caseId, version, dueAt, now, ct);
        return owner;
    }

    private async Task ApplyClockAsync(Guid caseId, long version, DateTimeOffset? dueAt, DateTimeOffset now, CancellationToken ct)
    {
        var found = await db.WeeklyReportClocks.SingleOrDefaultAsync(c => c.CaseId == caseId, ct);
        if (found is null)
        {
            found = WeeklyReportClock.For(caseId);
            db.WeeklyReportClocks.Add(found);
        }

        found.Apply(version, dueAt?.ToMicroseconds(), now);
    }
}
