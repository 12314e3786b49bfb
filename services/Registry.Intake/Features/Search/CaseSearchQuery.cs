using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Search;

public static class CaseSearchQuery
{
    /// <summary>
    /// The search as a query (paged in registration order by the caller). Plain LIKE on the
    /// normalised names, so any store can run it; PostgreSQL answers it from the trigram index.
    /// </summary>
    public static IQueryable<CaptureCase> Matching(this IQueryable<CaptureCase> cases, CaseSearch s)
    {
        var query = cases;
        if (s.NamePart is { } part)
        {
            // Normalised text holds only letters, digits and single spaces: nothing to escape for LIKE.
            var pattern = $"%{part}%";
            query = query.Where(c => EF.Functions.Like(c.SearchText, pattern));
        }

        if (s.ServiceNumberKey is { } number)
        {
            query = query.Where(c => c.ServiceNumberKey == number);
        }

        if (s.Nationality is { } nationality)
        {
            query = query.Where(c => c.Identity.Nationality == nationality);
        }

        if (s.Status is { } status)
        {
            query = query.Where(c => c.StatusCategory == status);
        }

        if (s.CapturedFrom is { } from)
        {
            query = query.Where(c => c.CapturedAt >= from);
        }

        if (s.CapturedUntil is { } until)
        {
            query = query.Where(c => c.CapturedAt < until);
        }

        if (s.CapturingAgency is { } agency)
        {
            query = query.Where(c => c.CapturingAgency == agency);
        }

        if (!s.IncludeMerged)
        {
            query = query.Where(c => c.MergedIntoCaseId == null);
        }

        return query;
    }
}
