using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Search;

/// <summary>Search over the register, in registration order; names by <see cref="NameSearch"/>'s rule, fuzzily on PostgreSQL.</summary>
public sealed class SearchCasesHandler(IntakeDbContext db)
{
    public Task<Page<CaptureCase>> HandleAsync(CaseSearch search, CancellationToken ct) =>
        db.Cases.AsNoTracking().Matching(search, db.Database.IsNpgsql()).ToKeysetPageAsync(search.Page, c => c.Number, ct);
}
