using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Features.Sharing;

/// <summary>
/// Ends a share now and tells the other services (CaseShareRevoked through the outbox). Intake's own access
/// check reads the share table, so the partner is refused here from the commit on. Idempotent: a share revoked
/// before is answered as it stands; of two revocations racing, the loser runs again and finds the winner's.
/// </summary>
public sealed class RevokeShareHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock, ILogger<RevokeShareHandler> logger)
{
    public Task<CaseShare> HandleAsync(ShareRevocation revocation, CallerIdentity revokedBy, CancellationToken ct) =>
        LostRace.RetryAsync(db, CaseShare.ResourceType, $"shares/{revocation.ShareId}", async token =>
        {
            var share = await db.CaseShares.SingleOrNotFoundAsync(s => s.ShareId == revocation.ShareId, CaseShare.ResourceType, revocation.ShareId.ToString(), token);
            var now = clock.GetUtcNow().ToMicroseconds();
            if (!share.Revoke(revocation.Reason, revokedBy, now))
            {
                return share;
            }

            db.OutboxMessages.Add(OutboxMessage.Create(ShareEvents.Revoked(share), now));
            await cases.CommitAsync(token);
            logger.LogInformation("Share {ShareId} of case {CaseNumber} with {Partner} revoked", share.ShareId, share.CaseNumber, share.PartnerAgency);
            return share;
        }, ct);
}
