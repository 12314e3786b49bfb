using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>One overdue obligation: a capture card (Art. 70) or a notification to the ICRC (Art. 122), whichever it is.</summary>
public sealed record OverdueEntry(OverduePosition Position, CaptureCard? Card, IcrcNotification? Notification);

/// <summary>A page of the overdue list.</summary>
public sealed record Overdue(DateTimeOffset AsOf, IReadOnlyList<OverdueEntry> Items, string NextPageToken);

/// <summary>What the Convention's clocks say is late: capture cards and ICRC notifications past due and not done at a moment.</summary>
public sealed class ListOverdueHandler(IntakeDbContext db)
{
    public async Task<Overdue> HandleAsync(OverdueQuery query, CancellationToken ct)
    {
        // Two sources in one order (due time, kind, id): take a page from each after the position, merge, cut.
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

        var lateCards = await cards.OrderBy(c => c.DueAt).ThenBy(c => c.Id).Take(pageSize).ToListAsync(ct);
        var lateNotifications = await notifications.OrderBy(n => n.DueAt).ThenBy(n => n.Id).Take(pageSize).ToListAsync(ct);
        var page = lateCards.Select(c => new OverdueEntry(new OverduePosition(c.DueAt, OverduePosition.CardKind, c.Id), c, null))
            .Concat(lateNotifications.Select(n => new OverdueEntry(new OverduePosition(n.DueAt, OverduePosition.NotificationKind, n.Id), null, n)))
            .OrderBy(x => x.Position)
            .Take(pageSize)
            .ToList();
        return new Overdue(asOf, page, query.Page.NextToken(page, x => x.Position.ToString()));
    }
}
