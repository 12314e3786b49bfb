using System.Globalization;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Notifications;

public static class StreamNotificationsValidator
{
    /// <summary>The sequence number after which to start: the cursor of a notification received earlier, or 0 ("") for the beginning.</summary>
    public static long Validate(StreamNotificationsRequest request)
    {
        var errors = new FieldViolations();
        long after = 0;
        if (request.Cursor.Length > 0 && !long.TryParse(request.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            errors.Add("cursor", "must be the cursor of a notification received earlier, or empty for the beginning");
        }

        errors.ThrowIfAny();
        return after;
    }
}
