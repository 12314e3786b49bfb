using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>
/// One overdue obligation: a capture card (Art. 70), a notification to the ICRC (Art. 122) or a weekly health report of
/// a person seriously ill or wounded (Art. 122), whichever it is. A weekly report comes with the case that answers for it
/// now (<see cref="WeeklyReportOwner"/>: the survivor when the clock's case was merged).
/// </summary>
public sealed record OverdueEntry(OverduePosition Position, CaptureCard? Card, IcrcNotification? Notification,
    WeeklyReportClock? WeeklyReport = null, CaptureCase? WeeklyReportOwner = null);

/// <summary>A page of the overdue list.</summary>
public sealed record Overdue(DateTimeOffset AsOf, IReadOnlyList<OverdueEntry> Items, string NextPageToken);

/// <summary>
/// What the Convention's clocks say is late: capture cards and ICRC notifications past due and not done at a moment, and
/// the weekly health reports of the seriously ill or wounded (Art. 122) past due. The weekly report clocks are medical's,
/// kept here from its events (<see cref="WeeklyReportEventHandler"/>) as they stand now: a running clock due before the
/// moment is late at it (a past moment does not bring back a clock that has moved or stopped since).
/// </summary>
public sealed class ListOverdueHandler(IntakeDbContext db, CaseStore cases)
{
    public async Task<Overdue> HandleAsync(OverdueQuery query, CancellationToken ct)
    {
        // Three sources in one order (due time, kind, id): take a page from each after the position, merge, cut.
        var (asOf, after, pageSize) = (query.AsOf, query.After, query.Page.Size);
        var cards = db.CaptureCards.AsNoTracking()
            .Where(c => c.DueAt < asOf && (c.IssuedAt == null || c.IssuedAt > asOf) && (c.WithdrawnAt == null || c.WithdrawnAt > asOf));
        cards = OverduePosition.CardKind > after.Kind ? cards.Where(c => c.DueAt >= after.DueAt)
            : OverduePosition.CardKind == after.Kind ? cards.Where(c => c.DueAt > after.DueAt || (c.DueAt == after.DueAt && c.Id > after.Id))
            : cards.Where(c => c.DueAt > after.DueAt);
        var notifications = db.Notifications.AsNoTracking().Where(n => n.DueAt < asOf && (n.AcknowledgedAt == null || n.AcknowledgedAt > asOf));
        notifications = OverduePosition.NotificationKind > after.Kind ? notifications.Where(n => n.DueAt >= after.DueAt)
            : OverduePosition.NotificationKind == after.Kind ? notifications.Where(n => n.DueAt > after.DueAt || (n.DueAt == after.DueAt && n.Id > after.Id))
            : notifications.Where(n => n.DueAt > after.DueAt);

        var clocks = db.WeeklyReportClocks.AsNoTracking().Where(c => c.DueAt != null && c.DueAt < asOf);
        clocks = OverduePosition.WeeklyReportKind > after.Kind ? clocks.Where(c => c.DueAt >= after.DueAt)
            : OverduePosition.WeeklyReportKind == after.Kind ? clocks.Where(c => c.DueAt > after.DueAt || (c.DueAt == after.DueAt && c.Id > after.Id))
            : clocks.Where(c => c.DueAt > after.DueAt);

        var lateCards = await cards.OrderBy(c => c.DueAt).ThenBy(c => c.Id).Take(pageSize + 1).ToListAsync(ct);
        var lateNotifications = await notifications.OrderBy(n => n.DueAt).ThenBy(n => n.Id).Take(pageSize + 1).ToListAsync(ct);
        var lateReports = await clocks.OrderBy(c => c.DueAt).ThenBy(c => c.Id).Take(pageSize + 1).ToListAsync(ct);
        var page = lateCards.Select(c => new OverdueEntry(new OverduePosition(c.DueAt, OverduePosition.CardKind, c.Id), c, null))
            .Concat(lateNotifications.Select(n => new OverdueEntry(new OverduePosition(n.DueAt, OverduePosition.NotificationKind, n.Id), null, n)))
            .Concat(lateReports.Select(c => new OverdueEntry(new OverduePosition(c.DueAt!.Value, OverduePosition.WeeklyReportKind, c.Id), null, null, c)))
            .OrderBy(x => x.Position)
            .Take(pageSize + 1)
            .ToList();
        // One row beyond the page from each source: rows follow this page exactly when the merge has one beyond it.
        (page, var more) = query.Page.Trim(page);
        for (var i = 0; i < page.Count; i++)
        {
            if (page[i].WeeklyReport is { } clock)
            {
                // The case that answers for the clock now (a merged case's obligations belong to the survivor).
                page[i] = page[i] with { WeeklyReportOwner = await cases.FindOwnerAsync(clock.CaseId, ct) };
            }
        }

        return new Overdue(asOf, page, query.Page.NextToken(page, more, x => x.Position.ToString()));
    }
}
