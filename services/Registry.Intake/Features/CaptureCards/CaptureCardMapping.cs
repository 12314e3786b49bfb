using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.Protos.Intake.V1;
using CaptureCard = Registry.Intake.Domain.CaptureCard;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>Capture cards as the contract shows them: the card, its Annex IV content, an overdue entry.</summary>
public static class CaptureCardMapping
{
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
        Content = card.Content is { } json ? ContractJson.Parser.Parse<AnnexIvContent>(json) : null,
    };

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

    /// <summary>A weekly health report past due (GC III Art. 122), shown on the case that answers for it now.</summary>
    public static OverdueItem ToOverdue(this WeeklyReportClock clock, CaptureCase? owner, DateTimeOffset asOf) => new()
    {
        Kind = OverdueKind.WeeklyHealthReport,
        CaseId = (owner?.CaseId ?? clock.CaseId).ToString(),
        CaseNumber = owner is null ? "" : CaptureCase.FormatCaseNumber(owner.Number),
        Reason = "seriously ill or wounded",
        DueAt = Timestamp.FromDateTimeOffset(clock.DueAt!.Value),
        OverdueBy = Duration.FromTimeSpan(asOf - clock.DueAt!.Value),
    };

    public static ListOverdueResponse ToProto(this Overdue overdue)
    {
        var response = new ListOverdueResponse { AsOf = Timestamp.FromDateTimeOffset(overdue.AsOf), NextPageToken = overdue.NextPageToken };
        response.Items.AddRange(overdue.Items.Select(x =>
            x.Card?.ToOverdue(overdue.AsOf) ?? x.Notification?.ToOverdue(overdue.AsOf) ?? x.WeeklyReport!.ToOverdue(x.WeeklyReportOwner, overdue.AsOf)));
        return response;
    }
}
