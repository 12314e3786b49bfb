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
        var npgsql = db.Database.IsPostgreSql();
        var query = db.Cases.AsNoTracking().Matching(search, npgsql);
        if (!npgsql || search.NameWords is null)
        {
            return await query.ToKeysetPageAsync(search.Page, c => c.Number, ct);
        }

        if (CaseSearchQuery.HasFuzzyStage(search.NameWords))
        {
            // Similarity computed case by case makes a walk of registration order costly even over a bounded window
            // (measured: a full Latin name p50 99 ms left to the planner, 300-480 ms with the window first).
            return await CaseSearchQuery.WithIndexSimilarityThresholdAsync(db, () => query.ToKeysetPageAsync(search.Page, c => c.Number, ct), ct);
        }

        var (page, plan) = await CaseSearchQuery.PageByNameAsync(db, query, search.Page, ct);
        Activity.Current?.SetTag(CaseSearchQuery.PlanTag, plan == CaseSearchQuery.Plan.RegistrationOrder ? "registration_order" : "index_matches");
        return page;
    }
}
