using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Search;

/// <summary>Search over the register, in registration order; names by <see cref="NameSearch"/>'s rule, fuzzily on PostgreSQL.</summary>
public sealed class SearchCasesHandler(IntakeDbContext db, NameSearchSlots nameSearches)
{
    public async Task<Page<CaptureCase>> HandleAsync(CaseSearch search, CancellationToken ct)
    {
        var npgsql = db.Database.IsPostgreSql();
        var query = db.Cases.AsNoTracking().Matching(search, npgsql);
        if (!npgsql || search.NameWords is null)
        {
            return await query.ToKeysetPageAsync(search.Page, c => c.Number, ct);
        }

        return await nameSearches.RunAsync(() => ByNameAsync(search.Page, query, ct), ct);
    }

    /// <summary>
    /// A PostgreSQL name search's page, in a <see cref="NameSearchSlots"/> slot, by <see cref="CaseSearchQuery.PageByNameAsync"/>
    /// whether or not it has a fuzzy stage: the window of registration order first, then the indexes' matches. Until issue 15's
    /// twenty-ninth increment a search with a fuzzy stage was left to the planner, which on a wrong estimate walked the
    /// primary key through the whole register for a name few cases bear (3.9 s at a million cases; docs/performance.md,
    /// "Fuzzy name searches by the window first").
    /// </summary>
    private async Task<Page<CaptureCase>> ByNameAsync(PageRequest page, IQueryable<CaptureCase> query, CancellationToken ct)
    {
        var (read, plan) = await CaseSearchQuery.PageByNameAsync(db, query, page, ct);
        Activity.Current?.SetTag(CaseSearchQuery.PlanTag, plan == CaseSearchQuery.Plan.RegistrationOrder ? "registration_order" : "index_matches");
        return read;
    }
}
