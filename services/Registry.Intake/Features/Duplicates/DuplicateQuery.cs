using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>An earlier case as duplicate detection reads it: what record linkage compares (<see cref="LinkageRecord"/>), not the whole case.</summary>
public sealed class EarlierCase
{
    public long Number { get; init; }
    public Guid CaseId { get; init; }
    public string? FamilyName { get; init; }
    public string? GivenNames { get; init; }
    public string? FamilyNameLatin { get; init; }
    public string? GivenNamesLatin { get; init; }
    public int? BirthYear { get; init; }
    public int? BirthMonth { get; init; }
    public int? BirthDay { get; init; }
    public string? Nationality { get; init; }
    public string? ServiceNumber { get; init; }
    public string CapturePlace { get; init; } = "";
    public DateTimeOffset CapturedAt { get; init; }
    /// <summary>The case's stored blocking keys (the batch selects by them in memory: <see cref="DuplicateQuery.BlockedWithAny"/>).</summary>
    public string? FamilyKey { get; init; }
    public string? GivenKey { get; init; }
    public string? FullKey { get; init; }
    public string? FullKeyLatin { get; init; }
    public string? FamilyBlock { get; init; }
    public string? GivenBlock { get; init; }
    /// <summary>The <see cref="Domain.Names.NameKeys.Version"/> the stored keys were computed with; 0 when they were not read.</summary>
    public int NameKeyVersion { get; init; }

    /// <summary>
    /// The case as record linkage compares it, by the same function as the new case (<see cref="LinkageRecord.Of"/>). Its
    /// blocking keys are the stored ones when they were read and are of the current <see cref="Domain.Names.NameKeys.Version"/>
    /// (then equal to what the function computes: the rebuild at start rewrites older ones), else computed when first used.
    /// </summary>
    public LinkageRecord ToLinkage()
    {
        var identity = new PersonIdentity
        {
            FamilyName = FamilyName, GivenNames = GivenNames, FamilyNameLatin = FamilyNameLatin, GivenNamesLatin = GivenNamesLatin,
            BirthYear = BirthYear, BirthMonth = BirthMonth, BirthDay = BirthDay, Nationality = Nationality, ServiceNumber = ServiceNumber,
        };
        var stored = NameKeyVersion == Domain.Names.NameKeys.Version
            ? CaseBlockingKeys.Stored(FamilyKey, GivenKey, FullKey, FullKeyLatin, FamilyBlock, GivenBlock, BirthYear)
            : null;
        return LinkageRecord.Of(Number, identity, CapturePlace, CapturedAt, stored);
    }
}

public static class DuplicateQuery
{
    /// <summary>An earlier case's columns that duplicate detection reads (<see cref="EarlierCase"/>). Declared first: the statements below are built from it.</summary>
    private static readonly Expression<Func<CaptureCase, EarlierCase>> ReadExpression = e => new EarlierCase
    {
        Number = e.Number,
        CaseId = e.CaseId,
        FamilyName = e.Identity.FamilyName,
        GivenNames = e.Identity.GivenNames,
        FamilyNameLatin = e.Identity.FamilyNameLatin,
        GivenNamesLatin = e.Identity.GivenNamesLatin,
        BirthYear = e.Identity.BirthYear,
        BirthMonth = e.Identity.BirthMonth,
        BirthDay = e.Identity.BirthDay,
        Nationality = e.Identity.Nationality,
        ServiceNumber = e.Identity.ServiceNumber,
        CapturePlace = e.CapturePlace,
        CapturedAt = e.CapturedAt,
        FamilyKey = e.BlockingKeys.FamilyKey,
        GivenKey = e.BlockingKeys.GivenKey,
        FullKey = e.BlockingKeys.FullKey,
        FullKeyLatin = e.BlockingKeys.FullKeyLatin,
        FamilyBlock = e.BlockingKeys.FamilyBlock,
        GivenBlock = e.BlockingKeys.GivenBlock,
        NameKeyVersion = e.NameKeyVersion,
    };

    /// <summary>
    /// The blocking statement of one case (<see cref="BlockedWith"/>), of one shape whatever keys the case has: the open cases
    /// other than <c>number</c> whose service number key is one of <c>serviceNumbers</c>; whose full name key, in the original
    /// script or in Latin (counted once when the two are the same), is one of <c>fullKeys</c> with a birth year unknown or
    /// within [<c>from</c>, <c>to</c>]; whose family or given-name block is one of <c>familyBlocks</c> or <c>givenBlocks</c>
    /// with a birth year within the same range. A rule the case cannot use gets an empty array (and an unknown birth year the
    /// whole range of <see cref="int"/>), so its part reads nothing (<see cref="BlockingStatement"/>).
    /// </summary>
    private static readonly Expression<Func<IntakeDbContext, long, string[], string[], int, int, string[], string[], IQueryable<EarlierCase>>> Blocking = BlockingStatement();

    /// <summary>
    /// <see cref="Blocking"/> compiled by EF Core (<c>EF.CompileAsyncQuery</c>) once per model: a registration runs it without
    /// building, comparing and parameterising an expression tree of five UNION ALL parts (6 % of intake's CPU under
    /// registrations, and as much again building the tree, when its shape depended on the keys; docs/performance.md). Per
    /// model (<see cref="PerModel{T}"/>), because a compiled query is bound to the model of the first context it runs on, and
    /// PostgreSQL's and SQLite's contexts (one process may hold both, as the tests do) have a model each.
    /// </summary>
    private static readonly PerModel<Func<IntakeDbContext, long, string[], string[], int, int, string[], string[], IAsyncEnumerable<EarlierCase>>> CompiledBlocking =
        new(() => EF.CompileAsyncQuery(Blocking));

    /// <summary><see cref="Blocking"/> as a query to compose or show (<c>ToQueryString</c>, EXPLAIN), with the same parameters.</summary>
    private static readonly Func<IntakeDbContext, long, string[], string[], int, int, string[], string[], IQueryable<EarlierCase>> BlockingQueryable =
        Blocking.Compile();

    /// <summary>
    /// <see cref="Blocking"/> from its parts: each rule's cases as <see cref="ReadExpression"/> reads them, in one UNION ALL (a
    /// projection after the union would make EF Core join <c>cases</c> again for the owned types' columns).
    /// </summary>
    private static Expression<Func<IntakeDbContext, long, string[], string[], int, int, string[], string[], IQueryable<EarlierCase>>> BlockingStatement()
    {
        Expression<Func<IntakeDbContext, long, string[], string[], int, int, string[], string[], IQueryable<CaptureCase>[]>> rules =
            (db, number, serviceNumbers, fullKeys, from, to, familyBlocks, givenBlocks) => new[]
            {
                db.Cases.Where(e => e.Number != number && e.MergedIntoCaseId == null
                    && e.ServiceNumberKey != null && serviceNumbers.Contains(e.ServiceNumberKey)),
                db.Cases.Where(e => e.Number != number && e.MergedIntoCaseId == null
                    && e.BlockingKeys.FullKey != null && fullKeys.Contains(e.BlockingKeys.FullKey)
                    && (e.BlockingKeys.BirthYear == null || (e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to))),
                db.Cases.Where(e => e.Number != number && e.MergedIntoCaseId == null
                    && e.BlockingKeys.FullKeyLatin != null && fullKeys.Contains(e.BlockingKeys.FullKeyLatin) && e.BlockingKeys.FullKeyLatin != e.BlockingKeys.FullKey
                    && (e.BlockingKeys.BirthYear == null || (e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to))),
                db.Cases.Where(e => e.Number != number && e.MergedIntoCaseId == null
                    && e.BlockingKeys.FamilyBlock != null && familyBlocks.Contains(e.BlockingKeys.FamilyBlock)
                    && e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to),
                db.Cases.Where(e => e.Number != number && e.MergedIntoCaseId == null
                    && e.BlockingKeys.GivenBlock != null && givenBlocks.Contains(e.BlockingKeys.GivenBlock)
                    && e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to),
            };
        var read = ((NewArrayExpression)rules.Body).Expressions.Select(rule =>
            (Expression)Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(CaptureCase), typeof(EarlierCase)], rule, Expression.Quote(ReadExpression)));
        var union = read.Aggregate((a, b) => Expression.Call(typeof(Queryable), nameof(Queryable.Concat), [typeof(EarlierCase)], a, b));
        return Expression.Lambda<Func<IntakeDbContext, long, string[], string[], int, int, string[], string[], IQueryable<EarlierCase>>>(union, rules.Parameters);
    }

    /// <summary>
    /// The open cases other than <paramref name="number"/> that the blocking rules let through
    /// (<see cref="BlockingQuery"/>, the same rules <see cref="BlockingIndex"/> applies in memory), in one
    /// statement (UNION ALL; a case let through by several rules comes several times). Each rule is an
    /// equality on an indexed key column and a range on the birth year next to it in the index
    /// (<see cref="BlockingColumns"/>): the cost is the size of the blocks, not of the registry. Null when
    /// the query has nothing to look up. Every key is tested for null before <c>Contains</c>, so that the SQL is
    /// <c>key = ANY($n)</c> alone, which a plan made once per session (<see cref="ServiceDefaults.Data.GenericPlans"/>)
    /// answers from the index as a plan for the values would. The statement's text is the same for every case
    /// (<see cref="Blocking"/>); <see cref="BlockedAsync"/> runs it compiled.
    /// </summary>
    public static IQueryable<EarlierCase>? BlockedWith(this IntakeDbContext db, BlockingQuery query, long number) =>
        Arguments(query) is { } a ? BlockingQueryable(db, number, a.ServiceNumbers, a.FullKeys, a.From, a.To, a.FamilyBlocks, a.GivenBlocks) : null;

    /// <summary><see cref="BlockedWith"/>, run as a query EF Core compiled once; empty when the query has nothing to look up.</summary>
    public static async Task<List<EarlierCase>> BlockedAsync(this IntakeDbContext db, BlockingQuery query, long number, CancellationToken ct)
    {
        var found = new List<EarlierCase>();
        if (Arguments(query) is { } a)
        {
            var blocking = CompiledBlocking.For(db);
            await foreach (var e in blocking(db, number, a.ServiceNumbers, a.FullKeys, a.From, a.To, a.FamilyBlocks, a.GivenBlocks).WithCancellation(ct))
            {
                found.Add(e);
            }
        }

        return found;
    }

    private sealed record BlockingArguments(string[] ServiceNumbers, string[] FullKeys, int From, int To, string[] FamilyBlocks, string[] GivenBlocks);

    /// <summary><see cref="Blocking"/>'s parameters for <paramref name="query"/>, or null when no rule has anything to look up.</summary>
    private static BlockingArguments? Arguments(BlockingQuery query)
    {
        var (from, to) = query.BirthYear is { } year ? (year - 1, year + 1) : (int.MinValue, int.MaxValue);
        // The initial rules need a birth year (BlockingQuery.InitialYearAllows): without one they look up nothing.
        string[] familyBlocks = query.BirthYear is null ? [] : [.. query.FamilyBlocks];
        string[] givenBlocks = query.BirthYear is null ? [] : [.. query.GivenBlocks];
        string[] serviceNumbers = query.ServiceNumber is { } serviceNumber ? [serviceNumber] : [];
        return serviceNumbers.Length + query.FullKeys.Count + familyBlocks.Length + givenBlocks.Length == 0
            ? null
            : new BlockingArguments(serviceNumbers, [.. query.FullKeys], from, to, familyBlocks, givenBlocks);
    }

    /// <summary>
    /// What scoring compares (<see cref="EarlierCase"/>) and the stored blocking keys with their version: the batch applies
    /// each row's rules in memory (<see cref="BlockingIndex"/>) to every case read, and the stored keys spare computing them
    /// again from the names.
    /// </summary>
    private static IQueryable<EarlierCase> Read(IQueryable<CaptureCase> cases) => cases.Select(ReadExpression);

    /// <summary>
    /// The whole-name rule of <see cref="BlockingQuery"/>: a case whose full name key, in the original script or in
    /// Latin (counted once when the two are the same), is one of <paramref name="full"/>, and, when
    /// <paramref name="years"/> is given, whose birth year is unknown or within it (inclusive).
    /// </summary>
    private static void AddFullNameRules(List<IQueryable<CaptureCase>> parts, IQueryable<CaptureCase> open, List<string> full, (int From, int To)? years)
    {
        if (years is { } range)
        {
            var (from, to) = range;
            parts.Add(open.Where(e => e.BlockingKeys.FullKey != null && full.Contains(e.BlockingKeys.FullKey)
                && (e.BlockingKeys.BirthYear == null || (e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to))));
            parts.Add(open.Where(e => e.BlockingKeys.FullKeyLatin != null && full.Contains(e.BlockingKeys.FullKeyLatin) && e.BlockingKeys.FullKeyLatin != e.BlockingKeys.FullKey
                && (e.BlockingKeys.BirthYear == null || (e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to))));
        }
        else
        {
            parts.Add(open.Where(e => e.BlockingKeys.FullKey != null && full.Contains(e.BlockingKeys.FullKey)));
            parts.Add(open.Where(e => e.BlockingKeys.FullKeyLatin != null && full.Contains(e.BlockingKeys.FullKeyLatin) && e.BlockingKeys.FullKeyLatin != e.BlockingKeys.FullKey));
        }
    }

    /// <summary>
    /// Each of <paramref name="keys"/>' count as a family and as a given-name key among the cases numbered after
    /// <paramref name="floor"/> and up to <paramref name="last"/> (the window of <see cref="NameCountsAsync"/>), as EF Core
    /// writes it; what SQLite runs. PostgreSQL runs <see cref="KeyCountsStatement"/> instead.
    /// </summary>
    public static IQueryable<KeyCount> KeyCounts(this IQueryable<CaptureCase> cases, IReadOnlyCollection<string> keys, long floor, long last)
    {
        var window = cases.Where(c => c.Number > floor && c.Number <= last);
        return window.Where(c => c.BlockingKeys.FamilyKey != null && keys.Contains(c.BlockingKeys.FamilyKey))
            .GroupBy(c => c.BlockingKeys.FamilyKey!).Select(g => new KeyCount { Given = false, Key = g.Key, Count = g.Count() })
            .Concat(window.Where(c => c.BlockingKeys.GivenKey != null && keys.Contains(c.BlockingKeys.GivenKey))
                .GroupBy(c => c.BlockingKeys.GivenKey!).Select(g => new KeyCount { Given = true, Key = g.Key, Count = g.Count() }));
    }

    /// <summary>
    /// <see cref="KeyCounts"/> on PostgreSQL, one text for every call (so EF Core compiles it once and Npgsql prepares it):
    /// parameters {0} the keys (text[]), {1} and {2} the window (after, up to), {3} and {4} a range of numbers left out
    /// (1 and 0: none). Each key is counted by its own correlated subquery, an equality on the leading column of
    /// (key, case number) and a range behind it, which a plan made without the values (<see cref="ServiceDefaults.Data.GenericPlans"/>, inside a
    /// case's write) still answers from that index: written as EF Core writes it, with the keys as <c>= ANY($1)</c> and the
    /// window's bounds as parameters, such a plan read the whole window through the primary key (at 30,000 cases 25 ms
    /// against 0.26), and writing the bounds into the text made EF Core compile the statement at every call (0.6 ms of
    /// intake's CPU, docs/performance.md, "Frequency counts in one text").
    /// </summary>
    public const string KeyCountsStatement = $$"""
        SELECT false AS "Given", k."Key", (SELECT count(*)::int FROM cases AS c WHERE c."{{BlockingColumns.FamilyKeyColumn}}" = k."Key"
            AND (c."{{BlockingColumns.FamilyKeyColumn}}", c."Number") > (k."Key", {1}) AND (c."{{BlockingColumns.FamilyKeyColumn}}", c."Number") <= (k."Key", {2})
            AND c."Number" NOT BETWEEN {3} AND {4}) AS "Count"
        FROM unnest({0}::text[]) AS k("Key")
        UNION ALL
        SELECT true, k."Key", (SELECT count(*)::int FROM cases AS c WHERE c."{{BlockingColumns.GivenKeyColumn}}" = k."Key"
            AND (c."{{BlockingColumns.GivenKeyColumn}}", c."Number") > (k."Key", {1}) AND (c."{{BlockingColumns.GivenKeyColumn}}", c."Number") <= (k."Key", {2})
            AND c."Number" NOT BETWEEN {3} AND {4})
        FROM unnest({0}::text[]) AS k("Key")
        """;

    /// <summary>
    /// <see cref="BlockedWith"/> for a batch of new cases (ImportCaptures) in one statement: the open cases that any of
    /// <paramref name="queries"/> could let through. The queries are grouped by birth year, and each rule of a group
    /// is an equality on its indexed key column (= ANY of the group's keys) and that year's range (the index's second
    /// column): the statement reads the batch's blocks and little more, whatever the spread of the batch's birth years
    /// (one range spanning the batch's years read every block of every year: at 190,000 cases, tens of thousands of
    /// rows per call). Still a superset (a case of one row's block whose year suits another row of the same year): the
    /// caller applies each query's own rules in memory (<see cref="BlockingIndex.Select"/>, the same rules), and drops
    /// the batch's own cases if they are already stored (the SQLite path, and an import part on PostgreSQL, which inserts
    /// before it looks; RegisterCapture calls committed together look first). The cost is the size of the batch's blocks, which grow with the registry (docs/performance.md, "Import
    /// as the registry grows"). The parts (up to four per birth year, one for service numbers) go in statements of at
    /// most <see cref="MaxPartsPerStatement"/> (SQLite refuses a compound SELECT of more than 500); none when no query
    /// has anything to look up.
    /// </summary>
    public static IEnumerable<IQueryable<EarlierCase>> BlockedWithAny(this IQueryable<CaptureCase> cases, IReadOnlyCollection<BlockingQuery> queries)
    {
        var open = cases.Where(e => e.MergedIntoCaseId == null);
        var parts = new List<IQueryable<CaptureCase>>();
        var serviceNumbers = queries.Select(q => q.ServiceNumber).OfType<string>().Distinct().ToList();
        if (serviceNumbers.Count > 0)
        {
            parts.Add(open.Where(e => e.ServiceNumberKey != null && serviceNumbers.Contains(e.ServiceNumberKey)));
        }

        foreach (var year in queries.GroupBy(q => q.BirthYear).OrderBy(g => g.Key ?? int.MinValue))
        {
            var full = year.SelectMany(q => q.FullKeys).Distinct().ToList();
            if (full.Count > 0)
            {
                AddFullNameRules(parts, open, full, year.Key is { } y ? (y - 1, y + 1) : null);
            }

            if (year.Key is not { } known)
            {
                continue;
            }

            var (from, to) = (known - 1, known + 1);
            var familyBlocks = year.SelectMany(q => q.FamilyBlocks).Distinct().ToList();
            if (familyBlocks.Count > 0)
            {
                parts.Add(open.Where(e => e.BlockingKeys.FamilyBlock != null && familyBlocks.Contains(e.BlockingKeys.FamilyBlock) && e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to));
            }

            var givenBlocks = year.SelectMany(q => q.GivenBlocks).Distinct().ToList();
            if (givenBlocks.Count > 0)
            {
                parts.Add(open.Where(e => e.BlockingKeys.GivenBlock != null && givenBlocks.Contains(e.BlockingKeys.GivenBlock) && e.BlockingKeys.BirthYear >= from && e.BlockingKeys.BirthYear <= to));
            }
        }

        return parts.Chunk(MaxPartsPerStatement).Select(chunk => chunk.Select(Read).Aggregate((a, b) => a.Concat(b))).ToList();
    }

    /// <summary>The most UNION ALL parts in one statement of <see cref="BlockedWithAny"/>.</summary>
    public const int MaxPartsPerStatement = 200;

    // What BatchBlockingStatement reads of each case, named as EarlierCase names it.
    private const string EarlierColumns = """
        c."Number", c."CaseId", c."FamilyName", c."GivenNames", c."FamilyNameLatin", c."GivenNamesLatin", c."BirthYear", c."BirthMonth",
        c."BirthDay", c."Nationality", c."ServiceNumber", c."CapturePlace", c."CapturedAt", c."LinkageFamilyKey" AS "FamilyKey",
        c."LinkageGivenKey" AS "GivenKey", c."LinkageFullKey" AS "FullKey", c."LinkageFullKeyLatin" AS "FullKeyLatin",
        c."LinkageFamilyBlock" AS "FamilyBlock", c."LinkageGivenBlock" AS "GivenBlock", c."NameKeyVersion"
        """;

    /// <summary>
    /// <see cref="BlockedWithAny"/> on PostgreSQL in one text whatever the batch (so Npgsql prepares it and PostgreSQL plans it
    /// once per session): the keys go in as arrays, each rule a join of its (key, years) pairs with an equality on the rule's
    /// indexed key column and a range on the birth year next to it (<see cref="BlockingColumns"/>). Parameters: {0} the service
    /// number keys (text[]); {1}, {2}, {3} the full name keys with the first and last birth year each allows (text[], int[],
    /// int[]; a case of unknown year always, the whole range of <see cref="int"/> for a row of unknown year); {4}, {5} the
    /// family blocks with their rows' birth years (text[], int[]; a year either side); {6}, {7} the given-name blocks likewise.
    /// The statement <see cref="BlockedWithAny"/> built from the batch's birth years changed its text with every batch: EF Core
    /// translated it and PostgreSQL planned a UNION of up to 200 parts at every call, 60-120 ms for a call of 85 rows
    /// (docs/performance.md, twenty-fourth increment).
    /// </summary>
    public const string BatchBlockingStatement = $$"""
        SELECT {{EarlierColumns}} FROM cases AS c WHERE c."ServiceNumberKey" = ANY({0}) AND c."MergedIntoCaseId" IS NULL
        UNION ALL
        SELECT {{EarlierColumns}} FROM unnest({1}::text[], {2}::int[], {3}::int[]) AS q(k, f, t) JOIN cases AS c ON c."LinkageFullKey" = q.k
            AND (c."LinkageBirthYear" IS NULL OR (c."LinkageBirthYear" >= q.f AND c."LinkageBirthYear" <= q.t))
            WHERE c."MergedIntoCaseId" IS NULL
        UNION ALL
        SELECT {{EarlierColumns}} FROM unnest({1}::text[], {2}::int[], {3}::int[]) AS q(k, f, t) JOIN cases AS c ON c."LinkageFullKeyLatin" = q.k
            AND (c."LinkageBirthYear" IS NULL OR (c."LinkageBirthYear" >= q.f AND c."LinkageBirthYear" <= q.t))
            WHERE c."MergedIntoCaseId" IS NULL AND c."LinkageFullKeyLatin" IS DISTINCT FROM c."LinkageFullKey"
        UNION ALL
        SELECT {{EarlierColumns}} FROM unnest({4}::text[], {5}::int[]) AS q(k, y) JOIN cases AS c ON c."LinkageFamilyBlock" = q.k
            AND c."LinkageBirthYear" >= q.y - 1 AND c."LinkageBirthYear" <= q.y + 1
            WHERE c."MergedIntoCaseId" IS NULL
        UNION ALL
        SELECT {{EarlierColumns}} FROM unnest({6}::text[], {7}::int[]) AS q(k, y) JOIN cases AS c ON c."LinkageGivenBlock" = q.k
            AND c."LinkageBirthYear" >= q.y - 1 AND c."LinkageBirthYear" <= q.y + 1
            WHERE c."MergedIntoCaseId" IS NULL
        """;

    /// <summary>
    /// The open cases any of <paramref name="queries"/> could let through, as <see cref="BlockedWithAny"/> selects them (the
    /// same superset: the caller applies each query's rules in memory), by <see cref="BatchBlockingStatement"/> on PostgreSQL;
    /// a case may come several times. Empty without a statement when no query has anything to look up.
    /// </summary>
    public static async Task<List<EarlierCase>> BlockedForBatchAsync(this IntakeDbContext db, IReadOnlyCollection<BlockingQuery> queries, CancellationToken ct)
    {
        var serviceNumbers = queries.Select(q => q.ServiceNumber).OfType<string>().Distinct().ToArray();
        var full = queries
            .SelectMany(q => q.FullKeys.Select(k => q.BirthYear is { } y ? (Key: k, From: y - 1, To: y + 1) : (Key: k, From: int.MinValue, To: int.MaxValue)))
            .Distinct().ToList();
        // The initial rules need a birth year (BlockingQuery.InitialYearAllows), as in BlockedWithAny.
        var family = queries.Where(q => q.BirthYear is not null).SelectMany(q => q.FamilyBlocks.Select(k => (Key: k, Year: q.BirthYear!.Value))).Distinct().ToList();
        var given = queries.Where(q => q.BirthYear is not null).SelectMany(q => q.GivenBlocks.Select(k => (Key: k, Year: q.BirthYear!.Value))).Distinct().ToList();
        if (serviceNumbers.Length + full.Count + family.Count + given.Count == 0)
        {
            return [];
        }

        return await db.Database.SqlQueryRaw<EarlierCase>(BatchBlockingStatement,
                serviceNumbers, full.Select(f => f.Key).ToArray(), full.Select(f => f.From).ToArray(), full.Select(f => f.To).ToArray(),
                family.Select(f => f.Key).ToArray(), family.Select(f => f.Year).ToArray(), given.Select(g => g.Key).ToArray(), given.Select(g => g.Year).ToArray())
            .ToListAsync(ct);
    }

    /// <summary>
    /// How common each of the record's name keys is (<see cref="NameFrequencies"/>): its count as a family and
    /// as a given-name key among the <see cref="LinkageModel.FrequencyWindow"/> latest cases (merged ones too: a
    /// statistic of names, not of persons), over the window's size. <paramref name="beforeRecord"/>: the cases numbered
    /// before the record's instead (a registration's new case: the latest number need not be read, and concurrent
    /// registrations do not change its frequencies); a record not stored yet (number 0) is always counted against the
    /// latest cases. The record's own case is never counted. Two index ranges (<see cref="BlockingColumns"/>: key, case
    /// number) per key in one statement, bounded by the window whatever the registry's size.
    /// </summary>
    public static async Task<NameFrequencies> FrequenciesAsync(this IntakeDbContext db, LinkageRecord record, bool beforeRecord, CancellationToken ct)
    {
        var keys = NameCounts.KeysOf(record);
        if (keys.Count == 0)
        {
            return NameFrequencies.None;
        }

        // The record's own case is left out: it is compared with the others, as the benchmark compares a new record.
        var latest = beforeRecord && record.Number > 0 ? record.Number - 1 : (long?)null;
        return (await db.NameCountsAsync(keys, ct, latest, leftOut: (record.Number, record.Number))).Frequencies(keys);
    }

    /// <summary>
    /// The counts behind <see cref="FrequenciesAsync"/> for many keys at once (a batch's): each key's count as a family and
    /// as a given-name key among the <see cref="LinkageModel.FrequencyWindow"/> cases numbered up to
    /// <paramref name="latest"/> (by default the latest case, read first), the cases numbered within
    /// <paramref name="leftOut"/> (inclusive; by default none) not counted. One statement whatever the number of keys,
    /// two when the latest number is read.
    /// </summary>
    public static async Task<NameCounts> NameCountsAsync(this IntakeDbContext db, IReadOnlyCollection<string> keys, CancellationToken ct,
        long? latest = null, (long From, long To)? leftOut = null)
    {
        var (from, to) = leftOut ?? (1, 0);
        IQueryable<CaptureCase> Counted() => db.Cases.AsNoTracking().Where(c => c.Number < from || c.Number > to);
        var last = latest ?? await Counted().MaxAsync(c => (long?)c.Number, ct) ?? 0;
        var floor = last - LinkageModel.FrequencyWindow;
        var counts = db.Database.IsPostgreSql()
            ? await db.Database.SqlQueryRaw<KeyCount>(KeyCountsStatement, keys.ToArray(), floor, last, from, to).ToListAsync(ct)
            : await Counted().KeyCounts(keys, floor, last).ToListAsync(ct);
        return new NameCounts(last,
            counts.Where(c => !c.Given && c.Count > 0).ToDictionary(c => c.Key, c => c.Count),
            counts.Where(c => c.Given && c.Count > 0).ToDictionary(c => c.Key, c => c.Count));
    }
}

/// <summary>A name key's count among the frequency window's cases, as a family (<see cref="Given"/> false) or a given-name key.</summary>
public sealed class KeyCount
{
    public bool Given { get; init; }
    public string Key { get; init; } = "";
    public int Count { get; init; }
}

/// <summary>
/// Name keys' counts among the latest <see cref="LinkageModel.FrequencyWindow"/> cases up to case number
/// <see cref="Latest"/> (<see cref="DuplicateQuery.NameCountsAsync"/>), from which a record's
/// <see cref="NameFrequencies"/> are taken.
/// </summary>
public sealed record NameCounts(long Latest, IReadOnlyDictionary<string, int> Family, IReadOnlyDictionary<string, int> Given)
{
    /// <summary>The keys whose frequencies scoring a record reads: its family and given-name keys.</summary>
    public static List<string> KeysOf(LinkageRecord record) => record.Names.Family.Concat(record.Names.Given).Distinct().ToList();

    /// <summary>
    /// Each of <paramref name="keys"/>' share of the window; <paramref name="more"/> counts cases after
    /// <see cref="Latest"/> (a batch's earlier rows: <paramref name="moreCases"/> of them), added to the counts and the window.
    /// </summary>
    public NameFrequencies Frequencies(IReadOnlyCollection<string> keys,
        (IReadOnlyDictionary<string, int> Family, IReadOnlyDictionary<string, int> Given)? more = null, int moreCases = 0)
    {
        var window = Math.Min(Latest + moreCases, LinkageModel.FrequencyWindow);
        int Count(IReadOnlyDictionary<string, int> counts, IReadOnlyDictionary<string, int>? added, string key) =>
            counts.GetValueOrDefault(key) + (added?.GetValueOrDefault(key) ?? 0);
        return new NameFrequencies(
            keys.ToDictionary(k => k, k => NameFrequencies.Share(Count(Family, more?.Family, k), window)),
            keys.ToDictionary(k => k, k => NameFrequencies.Share(Count(Given, more?.Given, k), window)));
    }
}
