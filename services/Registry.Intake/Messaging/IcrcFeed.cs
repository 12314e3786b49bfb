using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Messaging;

/// <summary>Writing to the ICRC's feed: from gRPC calls and from consumers of custody's and medical's events alike.</summary>
internal static class IcrcFeed
{
    /// <summary>Adds a notification carrying the case (and a capture card) as they stand now.</summary>
    public static void RaiseNotification(this IntakeDbContext db, CaptureCase c, Domain.NotificationKind kind, string summary, DateTimeOffset now,
        Protos.Intake.V1.CaptureCard? card = null)
    {
        var content = new Notification { Case = c.ToProto(), CaptureCard = card };
        db.Notifications.Add(IcrcNotification.Raise(c, kind, summary, JsonFormatter.Default.Format(content), now));
    }

    /// <summary>
    /// Gives the notifications about to be saved their places in the feed, from the counter row. Call it
    /// inside the writing transaction: the row stays locked until that transaction ends, so places are
    /// taken in commit order and a reader resuming after a place misses nothing.
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

        var last = (await db.Database
            .SqlQueryRaw<long>("UPDATE notification_counter SET \"Last\" = \"Last\" + {0} WHERE \"Id\" = 1 RETURNING \"Last\" AS \"Value\"", pending.Count)
            .ToListAsync(ct)).Single();
        for (var i = 0; i < pending.Count; i++)
        {
            pending[i].Sequence = last - pending.Count + 1 + i;
        }
    }

    public static string Describe(CaptureCase c)
    {
        var names = string.Join(" ", new[] { c.Identity.FamilyName, c.Identity.GivenNames }.Where(n => !string.IsNullOrEmpty(n)));
        var latin = string.Join(" ", new[] { c.Identity.FamilyNameLatin, c.Identity.GivenNamesLatin }.Where(n => !string.IsNullOrEmpty(n)));
        return $"{c.CaseNumber} {names}{(latin.Length > 0 ? $" ({latin})" : "")}".Trim();
    }
}
