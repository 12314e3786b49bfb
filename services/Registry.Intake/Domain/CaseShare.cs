using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Domain;

/// <summary>A validated ShareCase request.</summary>
public sealed record ShareRequest(ServiceDefaults.Data.IdempotencyKey Key, Guid CaseId, string PartnerAgency, string Purpose, DateTimeOffset ValidUntil);

/// <summary>A validated RevokeShare request.</summary>
public sealed record ShareRevocation(Guid ShareId, string Reason);

/// <summary>
/// A case shared with a partner agency (DOMAIN.md "Roles": partner) for a purpose until an end date: while
/// active, the partner reads the case's identity and custody, never its medical part (GC III Art. 13: no
/// more disclosure than the purpose needs). Rows are never deleted: a revocation is recorded on the share,
/// so the register shows who was shown what, when, and why it ended.
/// </summary>
public sealed class CaseShare
{
    public const string ResourceType = "registry.intake.v1.Share";

    // Field limits, read by the validators and the EF configuration alike.
    public const int AgencyMaxLength = CaptureCase.CapturingAgencyMaxLength;
    public const int ClientIdMaxLength = 200;
    public const int PurposeMaxLength = 500;
    public const int ReasonMaxLength = 500;

    /// <summary>
    /// The longest a share may run: a disclosure of personal data to another agency is reviewed at least
    /// yearly (need-to-know is not forever; a forgotten share ends by itself). 366 days so that "one year"
    /// holds across a leap day. To go on, the coordinator shares again with a new end date.
    /// </summary>
    public const int MaxValidityDays = 366;

    private CaseShare()
    {
    }

    public long Id { get; private set; }
    public Guid ShareId { get; private set; }
    public Guid CaseId { get; private set; }
    public string CaseNumber { get; private set; } = "";
    public string PartnerAgency { get; private set; } = "";
    public string Purpose { get; private set; } = "";
    public DateTimeOffset ValidUntil { get; private set; }
    public string SharedByClientId { get; private set; } = "";
    public string SharedByAgency { get; private set; } = "";
    public DateTimeOffset SharedAt { get; private set; }
    /// <summary>Null while not revoked; set once (a concurrency token: two revocations cannot both record theirs).</summary>
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedByClientId { get; private set; }
    public string? RevokedByAgency { get; private set; }
    public string? RevocationReason { get; private set; }
    /// <summary>The idempotency key of the ShareCase request, and a hash of that request.</summary>
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Not revoked and not yet past its end date at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && ValidUntil > now;

    /// <summary>Shares an open case (a merged one is refused: CASE_MERGED, share the survivor).</summary>
    public static CaseShare Create(CaptureCase sharedCase, ShareRequest request, CallerIdentity sharedBy, DateTimeOffset now)
    {
        sharedCase.EnsureOpen();
        return new CaseShare
        {
            ShareId = Guid.CreateVersion7(now),
            CaseId = sharedCase.CaseId,
            CaseNumber = sharedCase.CaseNumber,
            PartnerAgency = request.PartnerAgency,
            Purpose = request.Purpose,
            ValidUntil = request.ValidUntil,
            SharedByClientId = sharedBy.ClientId,
            SharedByAgency = sharedBy.Agency,
            SharedAt = now,
            RequestId = request.Key.RequestId,
            RequestHash = request.Key.RequestHash,
        };
    }

    /// <summary>Ends the share now; false (nothing changed) when it was revoked before, which stands as it was.</summary>
    public bool Revoke(string reason, CallerIdentity revokedBy, DateTimeOffset now)
    {
        if (RevokedAt is not null)
        {
            return false;
        }

        RevokedAt = now;
        RevokedByClientId = revokedBy.ClientId;
        RevokedByAgency = revokedBy.Agency;
        RevocationReason = reason;
        return true;
    }
}
