using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Sharing;

public static class SharingMapping
{
    public static ShareCaseResponse ToProto(this ShareCreated created, DateTimeOffset now) =>
        new() { Share = created.Share.ToProto(now), Replayed = created.Replayed };

    public static ListSharesResponse ToProto(this (Page<CaseShare> Page, DateTimeOffset AsOf) result)
    {
        var response = new ListSharesResponse { NextPageToken = result.Page.NextPageToken };
        response.Shares.AddRange(result.Page.Items.Select(s => s.ToProto(result.AsOf)));
        return response;
    }

    public static ListSharedCasesResponse ToSharedCases(this Page<CaseShare> page)
    {
        var response = new ListSharedCasesResponse { NextPageToken = page.NextPageToken };
        response.SharedCases.AddRange(page.Items.Select(s => new SharedCase
        {
            CaseId = s.CaseId.ToString(),
            CaseNumber = s.CaseNumber,
            ShareId = s.ShareId.ToString(),
            Purpose = s.Purpose,
            ValidUntil = Timestamp.FromDateTimeOffset(s.ValidUntil),
        }));
        return response;
    }

    /// <param name="now">The moment <c>active</c> is answered for.</param>
    public static Share ToProto(this CaseShare s, DateTimeOffset now) => new()
    {
        ShareId = s.ShareId.ToString(),
        CaseId = s.CaseId.ToString(),
        CaseNumber = s.CaseNumber,
        PartnerAgency = s.PartnerAgency,
        Purpose = s.Purpose,
        ValidUntil = Timestamp.FromDateTimeOffset(s.ValidUntil),
        SharedByClientId = s.SharedByClientId,
        SharedByAgency = s.SharedByAgency,
        SharedAt = Timestamp.FromDateTimeOffset(s.SharedAt),
        RevokedAt = s.RevokedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        RevokedByClientId = s.RevokedByClientId ?? "",
        RevokedByAgency = s.RevokedByAgency ?? "",
        RevocationReason = s.RevocationReason ?? "",
        Active = s.IsActiveAt(now),
    };
}
