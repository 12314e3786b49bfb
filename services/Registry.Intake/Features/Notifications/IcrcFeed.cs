using Registry.ServiceDefaults.Validation;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Features.Notifications;

/// <summary>Writing to the ICRC's feed: from gRPC calls and from consumers of custody's and medical's events alike.</summary>
public static class IcrcFeed
{
    /// <summary>
    /// Adds a notification carrying the case (and a capture card) as they stand now, without a place in the feed:
    /// the writer saves and commits it like any other row and takes no shared lock. Its place is given after the
    /// commit by <see cref="NotificationSequencer"/>, which the writer wakes through <see cref="NotificationSignal"/>.
    /// </summary>
    public static void RaiseNotification(this IntakeDbContext db, CaptureCase c, Domain.NotificationKind kind, string summary, DateTimeOffset now,
        Protos.Intake.V1.CaptureCard? card = null) =>
        db.Notifications.Add(Notification(c, kind, summary, now, card));

    /// <summary>
    /// The notification <see cref="RaiseNotification"/> adds, for a writer that inserts many at once itself
    /// (ImportCaptures copies them in); written without a place, the sequencer places it after the commit.
    /// </summary>
    public static IcrcNotification Notification(CaptureCase c, Domain.NotificationKind kind, string summary, DateTimeOffset now,
        Protos.Intake.V1.CaptureCard? card = null) =>
        IcrcNotification.Raise(c, kind, summary, ContractJson.Format(new Notification { Case = c.ToProto(), CaptureCard = card }), now);

    /// <summary>A summary cut to <see cref="IcrcNotification.SummaryMaxLength"/> characters (ending in an ellipsis when cut), never within a surrogate pair.</summary>
    public static string Shortened(string summary) => TextRules.Cut(summary, IcrcNotification.SummaryMaxLength, ellipsis: true);

    /// <summary>The summary of a registration's notification (RegisterCapture and ImportCaptures alike).</summary>
    public static string RegisteredSummary(CaptureCase c) =>
        $"Registered: {Describe(c)}, captured {c.CapturedAt:yyyy-MM-dd} at {c.CapturePlace} by {c.CapturingAgency}.";

    public static string Describe(CaptureCase c)
    {
        var names = string.Join(" ", new[] { c.Identity.FamilyName, c.Identity.GivenNames }.Where(n => !string.IsNullOrEmpty(n)));
        var latin = string.Join(" ", new[] { c.Identity.FamilyNameLatin, c.Identity.GivenNamesLatin }.Where(n => !string.IsNullOrEmpty(n)));
        return $"{c.CaseNumber} {names}{(latin.Length > 0 ? $" ({latin})" : "")}".Trim();
    }
}
