using Registry.Contracts;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Sharing;

/// <summary>The sharing events intake publishes, for the services that enforce the partner's access on their own data.</summary>
public static class ShareEvents
{
    public static CaseShared Shared(CaseShare s) => new()
    {
        ShareId = s.ShareId,
        CaseId = s.CaseId,
        CaseNumber = s.CaseNumber,
        PartnerAgency = s.PartnerAgency,
        ValidUntil = s.ValidUntil,
        SharedAt = s.SharedAt,
    };

    public static CaseShareRevoked Revoked(CaseShare s) => new()
    {
        ShareId = s.ShareId,
        CaseId = s.CaseId,
        PartnerAgency = s.PartnerAgency,
        RevokedAt = s.RevokedAt ?? throw new InvalidOperationException($"Share {s.ShareId} is not revoked."),
    };
}
