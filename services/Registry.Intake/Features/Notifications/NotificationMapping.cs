using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Features.Notifications;

/// <summary>ICRC notifications as the contract shows them.</summary>
public static class NotificationMapping
{
    public static Notification ToProto(this IcrcNotification n)
    {
        var notification = ContractJson.Parser.Parse<Notification>(n.Payload);
        notification.Cursor = n.Sequence is { } sequence ? NotificationCursor.Format(sequence) : "";
        notification.NotificationId = n.NotificationId.ToString();
        notification.Kind = (Protos.Intake.V1.NotificationKind)(int)n.Kind;
        notification.CaseId = n.CaseId.ToString();
        notification.CaseNumber = CaptureCase.FormatCaseNumber(n.CaseNumber);
        notification.Summary = n.Summary;
        notification.CreatedAt = Timestamp.FromDateTimeOffset(n.CreatedAt);
        notification.DueAt = Timestamp.FromDateTimeOffset(n.DueAt);
        return notification;
    }

    public static AcknowledgeNotificationsResponse ToProto(this NotificationsAcknowledged a) => new()
    {
        AcknowledgedCount = a.Count,
        AcknowledgedThrough = NotificationCursor.Format(a.Through),
        AcknowledgedAt = a.At is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };

    public static OverdueItem ToOverdue(this IcrcNotification n, DateTimeOffset asOf) => new()
    {
        Kind = OverdueKind.Notification,
        CaseId = n.CaseId.ToString(),
        CaseNumber = CaptureCase.FormatCaseNumber(n.CaseNumber),
        NotificationId = n.NotificationId.ToString(),
        Reason = n.Kind.ToString(),
        DueAt = Timestamp.FromDateTimeOffset(n.DueAt),
        OverdueBy = Duration.FromTimeSpan(asOf - n.DueAt),
    };
}
