using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Search;

public static class CaseSearchQuery
{
    /// <summary>
    /// The search as a query (paged in registration order by the caller). The name rule is
    /// <see cref="NameSearch"/>'s, word by word: LIKE on the same-script and cross-script tokens, which any
    /// store can run and PostgreSQL answers from the trigram indexes; with <paramref name="fuzzy"/>
    /// (PostgreSQL only) also a half of the word by LIKE (indexed) and pg_trgm's <c>strict_word_similarity</c> on the cross-script tokens.
    /// </summary>
    public static IQueryable<CaptureCase> Matching(this IQueryable<CaptureCase> cases, CaseSearch s, bool fuzzy)
    {
        var query = cases;
        foreach (var word in s.NameWords ?? [])
        {
            // Keys hold only letters, digits and single spaces: nothing to escape for LIKE.
            // Three shapes rather than one with null guards: SQLite cannot translate the trigram operator at all.
            var compact = $"%{word.Compact}%";
            var cross = $"%{word.Cross}%";
            var similar = word.Cross;
            var (first, second) = NameSearch.Halves(word.Cross);
            var (firstHalf, secondHalf) = ($"%{first}%", $"%{second}%");
            query = word.Cross.Length == 0
                ? query.Where(c => EF.Functions.Like(c.SearchText, compact))
                : fuzzy && word.Cross.Length >= NameSearch.FuzzyMinLength
                    ? query.Where(c => EF.Functions.Like(c.SearchText, compact) || EF.Functions.Like(c.SearchKey!, cross)
                                       || ((EF.Functions.Like(c.SearchKey!, firstHalf) || EF.Functions.Like(c.SearchKey!, secondHalf))
                                           && EF.Functions.TrigramsStrictWordSimilarity(similar, c.SearchKey!) >= NameSearch.WordSimilarityThreshold))
                    : query.Where(c => EF.Functions.Like(c.SearchText, compact) || EF.Functions.Like(c.SearchKey!, cross));
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
