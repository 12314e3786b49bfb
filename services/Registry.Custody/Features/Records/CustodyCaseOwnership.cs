using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Records;

/// <summary>
/// Whose record a custody record is, for the access table's own-agency and shared rows: the capturing agency's
/// and the custodian agency's (the agency that answers for the person now), and the partner agencies of the
/// case's active shares as custody's copy holds them (not revoked, <c>valid_until</c> still ahead on this
/// service's clock). A revocation reaches this copy through intake's outbox and the bus (CaseShareRevoked):
/// within seconds while the bus is up (the bound intake.proto states). One statement: the record's primary-key
/// read with its shares through the case_id index.
/// </summary>
public sealed class CustodyCaseOwnership(CustodyDbContext db, TimeProvider clock) : ICaseOwnership
{
    public string Package => "registry.custody.v1";

    public async Task<CaseOwnership?> FindAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Two indexed reads rather than one correlated projection: SQLite (the embedded mode) cannot translate the
        // latter (it needs APPLY).
        var record = await db.Records.AsNoTracking()
            .Where(r => r.CaseId == caseId)
            .Select(r => new { r.CapturingAgency, r.CustodianAgency })
            .SingleOrDefaultAsync(cancellationToken);
        if (record is null)
        {
            return null;
        }

        var sharedWith = await db.Shares.AsNoTracking()
            .Where(s => s.CaseId == caseId && s.RevokedAt == null && s.ValidUntil > now)
            .Select(s => s.PartnerAgency)
            .ToListAsync(cancellationToken);
        return new CaseOwnership(
            new HashSet<string>(StringComparer.Ordinal) { record.CapturingAgency, record.CustodianAgency },
            sharedWith.ToHashSet(StringComparer.Ordinal));
    }
}
