using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Notifications;

public static class AcknowledgeNotificationsValidator
{
    /// <summary>
    /// The sequence number through which the ICRC acknowledges receipt: a cursor it received, required (an empty
    /// one acknowledges nothing and is a caller's mistake, not a no-op). Whether it names a notification of the
    /// feed is the handler's to check.
    /// </summary>
    public static long Validate(AcknowledgeNotificationsRequest request)
    {
        var errors = new FieldViolations();
        long through = 0;
        if (request.Cursor.Length == 0)
        {
            errors.Add("cursor", "is required: the cursor of the last notification received");
        }
        else if (!NotificationCursor.TryParse(request.Cursor, out through) || through < 1)
        {
            errors.Add("cursor", "must be the cursor of a notification received from the feed");
        }

        errors.ThrowIfAny();
        return through;
    }
}
