using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using CaptureCard = Registry.Intake.Domain.CaptureCard;

namespace Registry.Intake.Grpc;

internal static class IcrcMapping
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static AnnexIvContent ToAnnexIv(this CaptureCase c) => new()
    {
        Power = c.Identity.DependentPower ?? c.Identity.Nationality ?? "",
        FamilyName = c.Identity.FamilyName ?? "",
        GivenNames = c.Identity.GivenNames ?? "",
        FamilyNameLatin = c.Identity.FamilyNameLatin ?? "",
        GivenNamesLatin = c.Identity.GivenNamesLatin ?? "",
        FatherFirstName = c.Identity.FatherFirstName ?? "",
        MotherMaidenName = c.Identity.MotherMaidenName ?? "",
        DateOfBirth = c.Identity.DateOfBirth?.ToProto(),
        PlaceOfBirth = c.Identity.PlaceOfBirth ?? "",
        Rank = c.Identity.Rank ?? "",
        ServiceNumber = c.Identity.ServiceNumber ?? "",
        PersonToInform = c.Identity.PersonToInform ?? "",
        PersonToInformAddress = c.Identity.PersonToInformAddress ?? "",
        CapturedAt = Timestamp.FromDateTimeOffset(c.CapturedAt),
        CapturePlace = c.CapturePlace,
    };

    public static Protos.Intake.V1.CaptureCard ToProto(this CaptureCard card) => new()
    {
        CaptureCardId = card.CardId.ToString(),
        CaseId = card.CaseId.ToString(),
        CaseNumber = CaptureCase.FormatCaseNumber(card.CaseNumber),
        Reason = (Protos.Intake.V1.CaptureCardReason)(int)card.Reason,
        OccurredAt = Timestamp.FromDateTimeOffset(card.OccurredAt),
        DueAt = Timestamp.FromDateTimeOffset(card.DueAt),
        IssuedAt = card.IssuedAt is { } issued ? Timestamp.FromDateTimeOffset(issued) : null,
        Content = card.Content is { } json ? Parser.Parse<AnnexIvContent>(json) : null,
    };

    public static Notification ToProto(this IcrcNotification n)
    {
        var notification = Parser.Parse<Notification>(n.Payload);
        notification.Cursor = n.Sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        notification.NotificationId = n.NotificationId.ToString();
        notification.Kind = (Protos.Intake.V1.NotificationKind)(int)n.Kind;
        notification.CaseId = n.CaseId.ToString();
        notification.CaseNumber = CaptureCase.FormatCaseNumber(n.CaseNumber);
        notification.Summary = n.Summary;
        notification.CreatedAt = Timestamp.FromDateTimeOffset(n.CreatedAt);
        notification.DueAt = Timestamp.FromDateTimeOffset(n.DueAt);
        return notification;
    }

    public static OverdueItem ToOverdue(this CaptureCard card, DateTimeOffset asOf) => new()
    {
        Kind = OverdueKind.CaptureCard,
        CaseId = card.CaseId.ToString(),
        CaseNumber = CaptureCase.FormatCaseNumber(card.CaseNumber),
        CaptureCardId = card.CardId.ToString(),
        Reason = card.Reason.ToString().ToLowerInvariant(),
        DueAt = Timestamp.FromDateTimeOffset(card.DueAt),
        OverdueBy = Duration.FromTimeSpan(asOf - card.DueAt),
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
