using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Features.Notifications;

/// <summary>Writing to the ICRC's feed: from gRPC calls and from consumers of custody's and medical's events alike.</summary>
public static class IcrcFeed
{
    /// <summary>Adds a notification carrying the case (and a capture card) as they stand now.</summary>
    public static void RaiseNotification(this IntakeDbContext db, CaptureCase c, Domain.NotificationKind kind, string summary, DateTimeOffset now,
        Protos.Intake.V1.CaptureCard? card = null)
    {
        var content = new Notification { Case = c.ToProto(), CaptureCard = card };
        db.Notifications.Add(IcrcNotification.Raise(c, kind, summary, ContractJson.Format(content), now));
    }

    /// <summary>
    /// Saves what is pending, then gives the new notifications their places in the feed from the counter
    /// row. Call it last inside the writing transaction, just before the commit: the counter row stays
    /// locked until that transaction ends, so places are taken in commit order and a reader resuming after
    /// a place misses nothing — and every other writer of notifications waits meanwhile. Hence the rows are
    /// written first, and the counter is taken and the places given in one round trip: the lock is held
    /// for that statement and the commit only (holding it across the whole save made concurrent
    /// registrations queue behind it: 35 registrations/s with nine of sixteen waiting on this row).
    /// </summary>
    public static async Task SequenceNotificationsAsync(this IntakeDbContext db, CancellationToken ct)
    {
        var pending = db.ChangeTracker.Entries<IcrcNotification>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Notifications are sequenced inside the transaction that saves them.");
        }

        await db.SaveChangesAsync(ct);
        // The ids are the database's own numbers (no input here); in id order, the new places follow the
        // counter's last value. Two statements in one command: the second reads the counter the first moved.
        var ids = string.Join(", ", pending.Select(n => n.Id.ToString(CultureInfo.InvariantCulture)));
        var sql = $"""
            UPDATE notification_counter SET "Last" = "Last" + {pending.Count} WHERE "Id" = 1;
            UPDATE notifications SET "Sequence" = (SELECT "Last" FROM notification_counter WHERE "Id" = 1) - {pending.Count}
                + (SELECT count(*) FROM notifications AS earlier WHERE earlier."Id" IN ({ids}) AND earlier."Id" <= notifications."Id")
            WHERE "Id" IN ({ids});
            """;
        await db.Database.ExecuteSqlRawAsync(sql, ct);
    }

    /// <summary>A summary cut to <see cref="IcrcNotification.SummaryMaxLength"/> characters (ending in an ellipsis when cut), never within a surrogate pair.</summary>
    public static string Shortened(string summary)
    {
        if (summary.Length <= IcrcNotification.SummaryMaxLength)
        {
            return summary;
        }

        var end = IcrcNotification.SummaryMaxLength - 1;
        if (char.IsHighSurrogate(summary[end - 1]))
        {
            end--;
        }

        return summary[..end] + "…";
    }

    public static string Describe(CaptureCase c)
    {
        var names = string.Join(" ", new[] { c.Identity.FamilyName, c.Identity.GivenNames }.Where(n => !string.IsNullOrEmpty(n)));
        var latin = string.Join(" ", new[] { c.Identity.FamilyNameLatin, c.Identity.GivenNamesLatin }.Where(n => !string.IsNullOrEmpty(n)));
        return $"{c.CaseNumber} {names}{(latin.Length > 0 ? $" ({latin})" : "")}".Trim();
    }
}
