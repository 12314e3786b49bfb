using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Features.Cases;

/// <summary>
/// Whose record a case is, for the access table's own-agency rows: the capturing agency's (one primary-key
/// read). After a merge the survivor stays its own capturing agency's record only; the merged case keeps
/// answering its own agency (with the survivor's id). Shares: none until partner sharing exists, so a <c>shared</c> row reaches no case.
/// </summary>
public sealed class IntakeCaseOwnership(IntakeDbContext db) : ICaseOwnership
{
    public string Package => "registry.intake.v1";

    public async Task<CaseOwnership?> FindAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var agency = await db.Cases.AsNoTracking()
            .Where(c => c.CaseId == caseId)
            .Select(c => c.CapturingAgency)
            .SingleOrDefaultAsync(cancellationToken);
        return agency is null ? null : new CaseOwnership(new HashSet<string>(StringComparer.Ordinal) { agency }, new HashSet<string>());
    }
}
