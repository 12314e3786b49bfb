using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Features.Sharing;

/// <summary>A share, and whether it was created by an earlier call with the same request id.</summary>
public sealed record ShareCreated(CaseShare Share, bool Replayed);

/// <summary>
/// Shares a case with a partner agency and tells the other services (CaseShared through the outbox).
/// Idempotent on the request id; the case is held open as read until the share commits
/// (<see cref="CaseStore.EnsureUnchangedAsync"/>), so a merge committed meanwhile makes this answer CASE_MERGED.
/// </summary>
public sealed class ShareCaseHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock, ILogger<ShareCaseHandler> logger)
{
    /// <param name="sharedBy">The authenticated caller (the coordinator), recorded on the share.</param>
    public async Task<ShareCreated> HandleAsync(ShareRequest request, CallerIdentity sharedBy, CancellationToken ct)
    {
        var write = new IdempotentWrite<CaseShare, ShareCreated>(db, request.Key)
        {
            FindPrior = (id, token) => db.CaseShares.AsNoTracking().SingleOrDefaultAsync(s => s.RequestId == id, token),
            PriorHash = earlier => earlier.RequestHash,
            Replay = (earlier, _) => Task.FromResult(new ShareCreated(earlier, Replayed: true)),
            Conflict = earlier => $"request_id was already used for share {earlier.ShareId} of case {earlier.CaseNumber}; use a new request_id.",
        };
        return await cases.ChangeAsync(request.CaseId, attemptToken => write.ExecuteAsync(async token =>
        {
            var now = clock.GetUtcNow().ToMicroseconds();
            var shared = await cases.FindAsync(request.CaseId, tracked: false, token);
            var share = CaseShare.Create(shared, request, sharedBy, now);
            await cases.CommitAsync(token, async t =>
            {
                await cases.EnsureUnchangedAsync(t, shared);
                db.CaseShares.Add(share);
                db.OutboxMessages.Add(OutboxMessage.Create(ShareEvents.Shared(share), now));
            });
            logger.LogInformation("Case {CaseNumber} shared with {Partner} until {ValidUntil} (share {ShareId})",
                share.CaseNumber, share.PartnerAgency, share.ValidUntil, share.ShareId);
            return new ShareCreated(share, Replayed: false);
        }, attemptToken), ct);
    }
}
