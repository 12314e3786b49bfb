using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Notifications;

public static class StreamNotificationsValidator
{
    /// <summary>
    /// The sequence number after which to start: the cursor of a notification received earlier, or 0 ("") for the
    /// beginning. Whether a cursor names a notification of the feed is the handler's to check (it needs the feed).
    /// </summary>
    public static long Validate(StreamNotificationsRequest request)
    {
        var errors = new FieldViolations();
        long after = 0;
        if (request.Cursor.Length > 0 && !NotificationCursor.TryParse(request.Cursor, out after))
        {
            errors.Add("cursor", "must be the cursor of a notification received earlier, or empty for the beginning");
        }

        errors.ThrowIfAny();
        return after;
    }
}
