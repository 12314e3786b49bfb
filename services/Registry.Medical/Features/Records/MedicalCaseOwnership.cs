using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Records;

/// <summary>
/// Whose record a medical record is, for the access table's own-agency rows (an intake officer reads the health
/// summary of its own agency's captures only): the capturing agency's, as intake's CaseRegistered carried it.
/// Medical does not follow custody's transfers, so the custodian agency is not an owner here; custodians read with
/// the custodian role. No medical row is scoped to shared cases, so none are listed. A record opened before the
/// agency was kept has none: no own-agency role reaches it (fail closed). One primary-key read.
/// </summary>
public sealed class MedicalCaseOwnership(MedicalDbContext db) : ICaseOwnership
{
    private static readonly IReadOnlySet<string> NoShares = new HashSet<string>();

    public string Package => "registry.medical.v1";

    public async Task<CaseOwnership?> FindAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var agency = await db.Records.AsNoTracking()
            .Where(r => r.CaseId == caseId)
            .Select(r => r.CapturingAgency)
            .SingleOrDefaultAsync(cancellationToken);
        if (agency is null)
        {
            return null;
        }

        var owners = agency.Length == 0 ? new HashSet<string>() : new HashSet<string>(StringComparer.Ordinal) { agency };
        return new CaseOwnership(owners, NoShares);
    }
}
