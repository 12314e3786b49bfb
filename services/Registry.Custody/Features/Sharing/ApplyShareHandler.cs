using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.ServiceDefaults.Data;

namespace Registry.Custody.Features.Sharing;

/// <summary>
/// Keeps custody's copy of the shares intake announces. Whatever order the events arrive in, and however often,
/// the row ends as the last state intake recorded: a revocation is final. Changes only; the inbox filter commits.
/// </summary>
public sealed class ApplyShareHandler(CustodyDbContext db)
{
    /// <returns>Whether anything changed.</returns>
    public async Task<bool> SharedAsync(CaseShared shared, CancellationToken ct)
    {
        if (await db.Shares.AnyAsync(s => s.ShareId == shared.ShareId, ct))
        {
            return false; // seen before, or revoked before it was seen: a revocation stands
        }

        db.Shares.Add(CustodyShare.Shared(shared.ShareId, shared.CaseId, shared.PartnerAgency, shared.ValidUntil.ToMicroseconds()));
        return true;
    }

    /// <returns>Whether anything changed.</returns>
    public async Task<bool> RevokedAsync(CaseShareRevoked revoked, CancellationToken ct)
    {
        var at = revoked.RevokedAt.ToMicroseconds();
        if (await db.Shares.SingleOrDefaultAsync(s => s.ShareId == revoked.ShareId, ct) is { } share)
        {
            return share.Revoke(at);
        }

        db.Shares.Add(CustodyShare.RevokedBeforeSeen(revoked.ShareId, revoked.CaseId, revoked.PartnerAgency, at));
        return true;
    }
}
