using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Identity;

/// <summary>A page of a case's identity assertions, and which of all its assertions the case currently shows.</summary>
public sealed record AssertionPage(Page<IdentityAssertion> Page, IReadOnlySet<long> Current);

/// <summary>Every claim made about a case's identity, oldest first.</summary>
public sealed class ListIdentityAssertionsHandler(IntakeDbContext db, CaseStore cases)
{
    public async Task<AssertionPage> HandleAsync(CasePage query, CancellationToken ct)
    {
        await cases.FindAsync(query.CaseId, tracked: false, ct);
        var assertions = db.IdentityAssertions.AsNoTracking().Where(a => a.CaseId == query.CaseId);
        // The latest assertion of each field is the value the case shows.
        var current = (await assertions.GroupBy(a => a.Field).Select(g => g.Max(a => a.Id)).ToListAsync(ct)).ToHashSet();
        return new AssertionPage(await assertions.ToKeysetPageAsync(query.Page, a => a.Id, ct), current);
    }
}
