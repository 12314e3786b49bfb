using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Search;

/// <summary>
/// The fuzzy word stage of name search on PostgreSQL (<see cref="NameSearch"/>, stage 3), answered from a dictionary of the
/// cases' distinct cross-script tokens instead of from every case: the table <c>search_tokens</c> (migration
/// <c>SearchTokenDictionary</c>), kept by a trigger on <c>cases</c> that adds the new tokens of every INSERT, COPY and
/// UPDATE of <c>SearchKey</c>, so no code path can forget it; partitioned by each token's number of distinct trigrams.
/// A word's similar tokens are looked up there first (<see cref="SimilarAsync"/>), then the cases holding one of them
/// through the GIN index on their token array (<c>"SearchTokens" &amp;&amp; tokens</c>).
/// <para>
/// Why: pg_trgm's index answers a similarity query with every row sharing enough of the query's trigrams, and a case's
/// tokens pool trigrams from ten words and two whole names, so "kololev" (Королев) drew 10,447 of 200,000 cases whose
/// similarity PostgreSQL then computed one by one (142-400 ms, for 521 matches). Per token, with the trigram counts
/// bounded, it draws about a hundred tokens (docs/performance.md, "The fuzzy stage from a dictionary of tokens").
/// </para>
/// </summary>
public static class SearchTokenDictionary
{
    /// <summary>
    /// The least and greatest number of distinct trigrams a token can have and still reach a similarity of
    /// <paramref name="threshold"/> with a word of <paramref name="wordTrigrams"/>: similarity is shared / (a + b - shared)
    /// (pg_trgm's, over sets of trigrams), at most min(a, b) / max(a, b), so b lies between threshold·a and a / threshold.
    /// One more on each side for the rounding of PostgreSQL's single-precision similarity.
    /// </summary>
    public static (int Least, int Most) Bounds(int wordTrigrams, double threshold) =>
        ((int)Math.Floor(threshold * wordTrigrams) - 1, (int)Math.Ceiling(wordTrigrams / threshold) + 1);

    /// <summary>
    /// For each word of <paramref name="name"/> with a fuzzy stage (a cross-script key of <see cref="NameSearch.FuzzyMinLength"/>
    /// letters or more), the dictionary's tokens within <see cref="Bounds"/> that contain a half of the key
    /// (<see cref="NameSearch.Halves"/>) and whose pg_trgm similarity to it is at least <see cref="NameSearch.WordSimilarityThreshold"/>
    /// (the <c>%</c> operator, answered by the partitions' trigram indexes). Keyed by the word's cross-script key; one
    /// statement per such word. Must run inside <see cref="CaseSearchQuery.WithIndexSimilarityThresholdAsync"/>, which sets
    /// <c>pg_trgm.similarity_threshold</c> for the transaction (else <c>%</c> answers at the server's 0.3 and more tokens
    /// than the rule's come back). PostgreSQL only.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string[]>> SimilarAsync(DbContext db, NameQuery name, CancellationToken ct)
    {
        var similar = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var word in name.Words)
        {
            var key = word.Cross;
            if (key.Length < NameSearch.FuzzyMinLength || similar.ContainsKey(key))
            {
                continue;
            }

            var (least, most) = Bounds(DuplicateScoring.Trigrams(key).Length, NameSearch.WordSimilarityThreshold);
            var (first, second) = NameSearch.Halves(key);
            var (firstHalf, secondHalf) = ($"%{first}%", $"%{second}%");
            // The halves after the similarity: here the index answers "%", and the halves are checked on the tokens it finds.
            similar[key] = (await db.Database.SqlQuery<string>($"""
                SELECT DISTINCT "Token" AS "Value" FROM search_tokens
                WHERE "Trigrams" BETWEEN {least} AND {most} AND "Token" % {key} AND ("Token" LIKE {firstHalf} OR "Token" LIKE {secondHalf})
                """).ToListAsync(ct)).ToArray();
        }

        return similar;
    }
}
