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

        var name = search.NameWords;
        return await nameSearches.RunAsync(() => ByNameAsync(name, search.Page, query, ct), ct);
    }

    /// <summary>A PostgreSQL name search's page, in a <see cref="NameSearchSlots"/> slot.</summary>
    private async Task<Page<CaptureCase>> ByNameAsync(NameQuery name, PageRequest page, IQueryable<CaptureCase> query, CancellationToken ct)
    {
        if (CaseSearchQuery.HasFuzzyStage(name))
        {
            // Similarity computed case by case makes a walk of registration order costly even over a bounded window
            // (measured: a full Latin name p50 99 ms left to the planner, 300-480 ms with the window first).
            return await CaseSearchQuery.WithIndexSimilarityThresholdAsync(db, () => query.ToKeysetPageAsync(page, c => c.Number, ct), ct);
        }

        var (read, plan) = await CaseSearchQuery.PageByNameAsync(db, query, page, ct);
        Activity.Current?.SetTag(CaseSearchQuery.PlanTag, plan == CaseSearchQuery.Plan.RegistrationOrder ? "registration_order" : "index_matches");
        return read;
    }
}
