using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Records;

/// <summary>
/// Whose record a custody record is, for the access table's own-agency rows: the capturing agency's and
/// the custodian agency's (the agency that answers for the person now). Shares: none until partner
/// sharing exists, so a <c>shared</c> row reaches no case.
/// </summary>
public sealed class CustodyCaseOwnership(CustodyDbContext db) : ICaseOwnership
{
    public string Package => "registry.custody.v1";

    public async Task<CaseOwnership?> FindAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var record = await db.Records.AsNoTracking()
            .Where(r => r.CaseId == caseId)
            .Select(r => new { r.CapturingAgency, r.CustodianAgency })
            .SingleOrDefaultAsync(cancellationToken);
        return record is null
            ? null
            : new CaseOwnership(new HashSet<string>(StringComparer.Ordinal) { record.CapturingAgency, record.CustodianAgency }, new HashSet<string>());
    }
}
