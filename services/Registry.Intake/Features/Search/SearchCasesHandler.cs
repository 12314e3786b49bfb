using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Search;

/// <summary>Search over the register, in registration order; names by <see cref="NameSearch"/>'s rule, fuzzily on PostgreSQL.</summary>
public sealed class SearchCasesHandler(IntakeDbContext db)
{
    public async Task<Page<CaptureCase>> HandleAsync(CaseSearch search, CancellationToken ct)
    {
        var npgsql = db.Database.IsNpgsql();
        if (!npgsql || search.NameWords is null)
        {
            return await db.Cases.AsNoTracking().Matching(search, npgsql).ToKeysetPageAsync(search.Page, c => c.Number, ct);
        }

        var (page, plan) = await CaseSearchQuery.PageByNameAsync(db, search, ct);
        Activity.Current?.SetTag(CaseSearchQuery.PlanTag, plan == CaseSearchQuery.Plan.RegistrationOrder ? "registration_order" : "index_matches");
        return page;
    }
}
