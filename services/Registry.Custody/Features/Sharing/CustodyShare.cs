namespace Registry.Custody.Features.Sharing;

/// <summary>
/// Custody's copy of one share of a case with a partner agency (intake's CaseShared and CaseShareRevoked), so
/// that custody enforces the access table's <c>shared</c> rows on its own data. Keyed by the share id: the two
/// events commute (a revocation seen first leaves a revoked row that the share does not revive).
/// </summary>
public sealed class CustodyShare
{
    public const int AgencyMaxLength = 200;

    private CustodyShare()
    {
    }

    public Guid ShareId { get; private set; }
    public Guid CaseId { get; private set; }
    public string PartnerAgency { get; private set; } = "";
    /// <summary>The share's end date; for a revocation seen before its share, the revocation's time.</summary>
    public DateTimeOffset ValidUntil { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public static CustodyShare Shared(Guid shareId, Guid caseId, string partnerAgency, DateTimeOffset validUntil) =>
        new() { ShareId = shareId, CaseId = caseId, PartnerAgency = partnerAgency, ValidUntil = validUntil };

    public static CustodyShare RevokedBeforeSeen(Guid shareId, Guid caseId, string partnerAgency, DateTimeOffset revokedAt) =>
        new() { ShareId = shareId, CaseId = caseId, PartnerAgency = partnerAgency, ValidUntil = revokedAt, RevokedAt = revokedAt };

    /// <summary>Records the revocation; false when it was recorded before.</summary>
    public bool Revoke(DateTimeOffset revokedAt)
    {
        if (RevokedAt is not null)
        {
            return false;
        }

        RevokedAt = revokedAt;
        return true;
    }
}
