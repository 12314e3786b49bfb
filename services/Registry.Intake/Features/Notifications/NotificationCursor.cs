using System.Globalization;

namespace Registry.Intake.Features.Notifications;

/// <summary>
/// A place in the ICRC's feed as the contract shows it (<c>Notification.cursor</c>): the notification's
/// sequence number in decimal. The contract calls it opaque; readers only pass back what they received.
/// </summary>
public static class NotificationCursor
{
    public static string Format(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Only as <see cref="Format"/> writes it: digits, no sign, no spaces, no leading zeros, so "-1", " 7" or "007" are not
    /// cursors (the feed never gave them; a cursor is opaque to its reader).
    /// </summary>
    public static bool TryParse(string cursor, out long sequence) =>
        long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out sequence) && Format(sequence) == cursor;
}
