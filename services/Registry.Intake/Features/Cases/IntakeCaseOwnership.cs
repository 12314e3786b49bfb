using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Features.Cases;

/// <summary>
/// Whose record a case is, for the access table's own-agency and shared rows: the capturing agency's, and
/// the partner agencies of the case's active shares (not revoked, <c>valid_until</c> still ahead on this
/// service's clock: an expired share needs no job to end it). One statement: the case's primary-key read with
/// its shares through the (case_id, id) index. After a merge the survivor stays its own capturing agency's
/// record only; the merged case keeps answering its own agency (with the survivor's id), and its shares
/// are its own (a coordinator shares the survivor anew).
/// </summary>
public sealed class IntakeCaseOwnership(IntakeDbContext db, TimeProvider clock) : ICaseOwnership
{
    public string Package => "registry.intake.v1";

    public async Task<CaseOwnership?> FindAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Two primary-key/indexed reads rather than one correlated projection: SQLite (the embedded mode) cannot
        // translate the latter (it needs APPLY).
        var agency = await db.Cases.AsNoTracking()
            .Where(c => c.CaseId == caseId)
            .Select(c => c.CapturingAgency)
            .SingleOrDefaultAsync(cancellationToken);
        if (agency is null)
        {
            return null;
        }

        var sharedWith = await db.CaseShares.AsNoTracking()
            .Where(s => s.CaseId == caseId && s.RevokedAt == null && s.ValidUntil > now)
            .Select(s => s.PartnerAgency)
            .ToListAsync(cancellationToken);
        return new CaseOwnership(new HashSet<string>(StringComparer.Ordinal) { agency }, sharedWith.ToHashSet(StringComparer.Ordinal));
    }
}
