using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Intake.Features.Registration;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Search;

public static class CaseSearchQuery
{
    /// <summary>
    /// The search as a query (paged in registration order by the caller). The name rule is
    /// <see cref="NameSearch"/>'s, word by word: LIKE on the same-script and cross-script tokens (and the
    /// word's г-as-"h" and conventional-surname keys), which any store can run and PostgreSQL answers from the trigram indexes; with
    /// <paramref name="fuzzy"/> (PostgreSQL only) also pg_trgm's strict word similarity on the cross-script tokens (<c>&lt;&lt;%</c>,
    /// indexed, then a half of the word present: <see cref="SimilarWord"/>); on PostgreSQL a word of one or two Hangul, kana or
    /// CJK characters, which gives the trigram index nothing, is first looked up in the syllable index
    /// (<see cref="NameSearch.IsShortSyllableWord"/>); and, as an alternative to all the words, all but one
    /// with the other's first letter beginning a token and the whole query's key similar (each arm of the OR has
    /// indexed conditions, so the plan stays a bitmap of index scans). A fuzzy query is read by <see cref="PageByNameAsync"/>
    /// (or inside <see cref="WithIndexSimilarityThresholdAsync"/>), which set the similarity threshold for its transaction.
    /// </summary>
    public static IQueryable<CaptureCase> Matching(this IQueryable<CaptureCase> cases, CaseSearch s, bool fuzzy)
    {
        var query = cases;
        if (s.NameWords is { } name)
        {
            var words = name.Words.Select(w => Word(w, fuzzy)).ToList();
            var all = AllOf(words);
            if (fuzzy && name.Whole is { } whole && all is not null)
            {
                // All words but one, the other's first letter beginning a token, and the whole query similar.
                Expression<Func<CaptureCase, bool>>? allButOne = null;
                for (var i = 0; i < words.Count; i++)
                {
                    Expression<Func<CaptureCase, bool>> begins = _ => false;
                    foreach (var letter in name.Words[i].FirstLetters)
                    {
                        var (first, inside) = ($"{letter}%", $"% {letter}%");
                        begins = Combine(begins, c => EF.Functions.Like(c.SearchKey!, first) || EF.Functions.Like(c.SearchKey!, inside), Expression.OrElse);
                    }

                    // The first-letter LIKEs before the other words' conditions, whose similarity costs ~9 µs a case.
                    var arm = AllOf([begins, .. words.Where((_, j) => j != i)])!;
                    allButOne = allButOne is null ? arm : Combine(allButOne, arm, Expression.OrElse);
                }

                // Written first, with its cheap LIKEs leading: PostgreSQL evaluates an OR's and an AND's parts in the order
                // written, in the bitmap scan's recheck and in the filter alike, and stops at the first that decides. A case
                // found by the whole key's halves is then rechecked by those LIKEs, not by a word's <<% first (docs/performance.md,
                // "The order of a name search's conditions").
                var (halves, similar) = SimilarWhole(whole);
                all = Combine(AllOf([halves, allButOne!, similar])!, all, Expression.OrElse);
            }

            if (all is not null)
            {
                query = query.Where(all);
            }
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

    /// <summary>One query word: its three forms by LIKE, and with <paramref name="fuzzy"/> (a long enough key) a similar token.</summary>
    private static Expression<Func<CaptureCase, bool>> Word(NameQueryWord word, bool fuzzy)
    {
        // Keys hold only letters, digits and single spaces: nothing to escape for LIKE.
        // Separate shapes rather than one with null guards: SQLite cannot translate the trigram operator at all.
        var compact = $"%{word.Compact}%";
        var cross = $"%{word.Cross}%";
        Expression<Func<CaptureCase, bool>> sameScript = c => EF.Functions.Like(c.SearchText, compact);
        if (fuzzy && NameSearch.IsShortSyllableWord(word.Compact))
        {
            // PostgreSQL: the word's characters in the case's syllable array first (GIN, "@>"), the LIKE then on those cases
            // alone. Without it the LIKE of a one- or two-character word is unindexable, and so is the OR it is an arm of.
            var syllables = word.Compact.Select(ch => ch.ToString()).Distinct().ToArray();
            sameScript = c => syllables.All(s => EF.Property<string[]>(c, CaptureCaseConfiguration.SearchSyllables).Contains(s))
                              && EF.Functions.Like(c.SearchText, compact);
        }

        Expression<Func<CaptureCase, bool>> exact = word.Cross.Length == 0
            ? sameScript
            : Combine(sameScript, c => EF.Functions.Like(c.SearchKey!, cross), Expression.OrElse);
        foreach (var other in (ReadOnlySpan<string?>)[word.CrossH, word.CrossSurname])
        {
            if (other is not null)
            {
                var pattern = $"%{other}%";
                exact = Combine(exact, c => EF.Functions.Like(c.SearchKey!, pattern), Expression.OrElse);
            }
        }

        return fuzzy && word.Cross.Length >= NameSearch.FuzzyMinLength ? Combine(exact, SimilarWord(word.Cross), Expression.OrElse) : exact;
    }

    /// <summary>
    /// <see cref="NameSearch.IsSimilar"/> for one word in SQL: pg_trgm's <c>&lt;&lt;%</c>, strict word similarity at least the
    /// session's <c>pg_trgm.strict_word_similarity_threshold</c> (<see cref="NameSearch.WordSimilarityThreshold"/> inside
    /// <see cref="WithIndexSimilarityThresholdAsync"/>), which the trigram index answers with the rows whose tokens share enough
    /// of the key's trigrams and rechecks on those rows; and a half of the key present, checked on the rows found.
    /// (Until issue 15's seventh increment the halves, by LIKE, were the index condition: a three-letter half such as "nev"
    /// occurs in 5 % of a million cases, and with estimates that large the planner walked the primary key instead, 3.6 s
    /// a search: docs/performance.md, "A million cases".)
    /// </summary>
    private static Expression<Func<CaptureCase, bool>> SimilarWord(string key)
    {
        var (first, second) = NameSearch.Halves(key);
        var (firstHalf, secondHalf) = ($"%{first}%", $"%{second}%");
        // The halves first: where a plan filters rows one by one, PostgreSQL evaluates the condition in this order, and a
        // LIKE costs a fraction of a microsecond where <<% computes the similarity (tens of microseconds on a case's tokens).
        return c => (EF.Functions.Like(c.SearchKey!, firstHalf) || EF.Functions.Like(c.SearchKey!, secondHalf))
                    && EF.Functions.TrigramsAreStrictWordSimilar(key, c.SearchKey!);
    }

    /// <summary>
    /// <see cref="NameSearch.IsSimilar"/> for the whole query at <see cref="NameSearch.WholeNameSimilarityThreshold"/>: a half
    /// of the key by LIKE and <c>strict_word_similarity</c> as a value, a filter on the rows the other words' conditions found
    /// (<c>&lt;&lt;%</c> at this lower threshold would let the index return ten times the rows for a short word: 5,763 against 474
    /// for "lopnev" at 352,000 cases). The two parts are returned apart, so that the cheap one (the halves) can be written
    /// before the other words' conditions and the similarity (about 9 µs a case) after them.
    /// </summary>
    private static (Expression<Func<CaptureCase, bool>> Halves, Expression<Func<CaptureCase, bool>> Similar) SimilarWhole(string key)
    {
        var (first, second) = NameSearch.Halves(key);
        var (firstHalf, secondHalf) = ($"%{first}%", $"%{second}%");
        return (c => EF.Functions.Like(c.SearchKey!, firstHalf) || EF.Functions.Like(c.SearchKey!, secondHalf),
            c => EF.Functions.TrigramsStrictWordSimilarity(key, c.SearchKey!) >= NameSearch.WholeNameSimilarityThreshold);
    }

    /// <summary>
    /// Runs <paramref name="read"/>, a read of a fuzzy <see cref="Matching"/> query, in a transaction whose
    /// <c>pg_trgm.strict_word_similarity_threshold</c> is <see cref="NameSearch.WordSimilarityThreshold"/> (<c>set_config(…, true)</c>,
    /// as <c>SET LOCAL</c>: pooled sessions keep the server's setting, and it holds behind any pooler, unlike a startup
    /// option). Outside it <c>&lt;&lt;%</c> would answer at the default 0.5 and miss a seven-letter name with one wrong letter
    /// (0.45). PostgreSQL only.
    /// </summary>
    public static Task<T> WithIndexSimilarityThresholdAsync<T>(DbContext db, Func<Task<T>> read, CancellationToken ct) =>
        InSearchTransactionAsync(db, null, read, ct);

    /// <summary>
    /// <paramref name="read"/> in a transaction with the similarity threshold and, when given, <paramref name="plan"/>'s
    /// settings (<see cref="ImposePlanAsync"/>), set in one statement: a search's round trips are part of its time.
    /// </summary>
    private static async Task<T> InSearchTransactionAsync<T>(DbContext db, Plan? plan, Func<Task<T>> read, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The values are constants of ours, formatted invariantly: parameters, never text spliced into the statement.
        var threshold = NameSearch.WordSimilarityThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (plan is { } imposed)
        {
            var (bitmap, index) = Settings(imposed);
            await db.Database.ExecuteSqlAsync(
                $"SELECT set_config('pg_trgm.strict_word_similarity_threshold', {threshold}, true), set_config('enable_bitmapscan', {bitmap}, true), set_config('enable_indexscan', {index}, true), set_config('enable_seqscan', 'off', true)", ct);
        }
        else
        {
            await db.Database.ExecuteSqlAsync($"SELECT set_config('pg_trgm.strict_word_similarity_threshold', {threshold}, true)", ct);
        }

        var result = await read();
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// Whether a PostgreSQL search by these words has a fuzzy stage (a word of <see cref="NameSearch.FuzzyMinLength"/>
    /// letters or more, or a whole-name stage), whose similarity a plan filtering case by case computes for each case.
    /// </summary>
    public static bool HasFuzzyStage(NameQuery name) =>
        name.Whole is not null || name.Words.Any(w => w.Cross.Length >= NameSearch.FuzzyMinLength);

    /// <summary>How a page of a name search was read (<see cref="PageByNameAsync"/>).</summary>
    public enum Plan
    {
        /// <summary>Registration order walked by the primary key over the next <see cref="RegistrationWindow"/> numbers: a common name.</summary>
        RegistrationOrder,

        /// <summary>Every match after the page's position from the trigram indexes, sorted: a rarer name.</summary>
        IndexMatches,
    }

    /// <summary>The trace tag naming the <see cref="Plan"/> of a name search's page (<c>registration_order</c> or <c>index_matches</c>).</summary>
    public const string PlanTag = "registry.search.plan";

    /// <summary>
    /// How many case numbers past the page's position a name search walks in registration order before it asks the
    /// indexes instead (<see cref="PageByNameAsync"/>): 2,000 rows of a cheap row filter, a few milliseconds, hold on
    /// average 20 cases of a name borne by one case in a hundred, so a page of 20 of a name that common, or commoner,
    /// is usually read in this window; rarer names, and larger pages, go to the indexes.
    /// </summary>
    public const int RegistrationWindow = 2_000;

    /// <summary>
    /// A page of a PostgreSQL name search (<paramref name="matching"/>: a fuzzy <see cref="Matching"/> query), chosen on what
    /// the data hold rather than on the planner's estimate. The planner must pick between walking the primary key in
    /// registration order, filtering each case (fast for a common name, whose page lies in the next few thousand cases;
    /// the whole register for a rare one: 3.8 s at a million cases), and taking every match from the trigram indexes and
    /// sorting them (fast for a rare name; 0.6-0.9 s for a common one with tens of thousands of matches), and its
    /// estimates for these ORs of LIKEs are often wrong by orders of magnitude (docs/performance.md, "A million cases,
    /// again"). So: first the walk, bounded to the next <see cref="RegistrationWindow"/> case numbers; when that holds more
    /// than a page it is the page, with its next-page token (no match after the window can come before one in it); else the
    /// matches from the indexes.
    /// Each plan is imposed for its statement (<c>enable_bitmapscan</c> / <c>enable_indexscan</c>, transaction-local), in a
    /// transaction with the similarity threshold of <see cref="WithIndexSimilarityThresholdAsync"/>. SearchCases reads every
    /// PostgreSQL name search this way, with a fuzzy stage or not (docs/performance.md, "Fuzzy name searches by the window first").
    /// </summary>
    public static Task<(Page<CaptureCase> Page, Plan Plan)> PageByNameAsync(DbContext db, IQueryable<CaptureCase> matching, PageRequest page, CancellationToken ct) =>
        InSearchTransactionAsync(db, Plan.RegistrationOrder, async () =>
        {
            var after = Math.Max(KeysetPaging.PositionAfter(page), 0);
            var windowEnd = after > long.MaxValue - RegistrationWindow ? long.MaxValue : after + RegistrationWindow;
            var window = await matching.Where(c => c.Number <= windowEnd).ToKeysetPageAsync(page, c => c.Number, ct);
            // The window is the page only when it held a match past the page (the read asks for one more than the page):
            // a window with exactly a page of matches says nothing of the cases after it, and its page would end the list.
            if (window.NextPageToken.Length > 0)
            {
                return (window, Plan.RegistrationOrder);
            }

            await ImposePlanAsync(db, Plan.IndexMatches, ct);
            return (await matching.ToKeysetPageAsync(page, c => c.Number, ct), Plan.IndexMatches);
        }, ct);

    /// <summary>
    /// Turns off, for the rest of the current transaction, the scans the other plan would use, and the scan of the whole
    /// table (which PostgreSQL still runs where no index can answer, such as a Hangul word of one syllable: it only stops
    /// being chosen on a wrong estimate).
    /// </summary>
    public static Task ImposePlanAsync(DbContext db, Plan plan, CancellationToken ct)
    {
        var (bitmap, index) = Settings(plan);
        return db.Database.ExecuteSqlAsync(
            $"SELECT set_config('enable_bitmapscan', {bitmap}, true), set_config('enable_indexscan', {index}, true), set_config('enable_seqscan', 'off', true)", ct);
    }

    private static (string Bitmap, string Index) Settings(Plan plan) => plan == Plan.RegistrationOrder ? ("off", "on") : ("on", "off");

    private static Expression<Func<CaptureCase, bool>>? AllOf(IEnumerable<Expression<Func<CaptureCase, bool>>> parts) =>
        parts.Aggregate((Expression<Func<CaptureCase, bool>>?)null, (all, part) => all is null ? part : Combine(all, part, Expression.AndAlso));

    private static Expression<Func<CaptureCase, bool>> Combine(Expression<Func<CaptureCase, bool>> left, Expression<Func<CaptureCase, bool>> right,
        Func<Expression, Expression, BinaryExpression> join)
    {
        var parameter = left.Parameters[0];
        var body = new Rebind(right.Parameters[0], parameter).Visit(right.Body);
        return Expression.Lambda<Func<CaptureCase, bool>>(join(left.Body, body), parameter);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
