using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Intake.Data;
using Registry.Intake.Domain.Linkage;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Search;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Xunit.Abstractions;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// A register of 100,000 cases, written once straight into the table (registering them one by one
/// would take minutes): random Hangul syllables and random Latin letters, normalised as the service
/// does (lower case), all North Korean, born in one of 35 years (about 2,860 per year). The cross-script tokens also hold
/// one of twenty common Russian family names, so that some trigrams are as common as in a real register ("nov" in 25 %
/// of the cases, "leb" in 5 %).
/// </summary>
public sealed class LargeRegister : IAsyncLifetime
{
    public const int Cases = 100_000;

    public IntakeFixture Intake { get; } = new();

    /// <summary>Registered through the service before the others were written.</summary>
    public Case Rifleman { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Intake.InitializeAsync();
        var rifleman = Requests.RiflemanFromForeignDocument("RU-0000001");
        rifleman.Identity.FamilyNameLatin = "Ri";
        rifleman.Identity.GivenNamesLatin = "Jong Hyok";
        Rifleman = (await Intake.Client.RegisterCaptureAsync(rifleman)).Case;
        await Intake.QueryAsync(async db =>
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(3));
            await db.Database.ExecuteSqlRawAsync($"""
                INSERT INTO cases ("CaseId", "RequestId", "RequestHash", "FamilyName", "GivenNames", "FamilyNameLatin", "GivenNamesLatin",
                                   "BirthYear", "Nationality", "SearchText", "SearchKey", "NameKey", "LatinNameKey", "CapturedAt", "CapturePlace",
                                   "CapturingUnit", "CapturingAgency", "StatusCategory", "Revision", "RegisteredAt", "UpdatedAt")
                SELECT gen_random_uuid(), gen_random_uuid(), '\x00'::bytea, f, g, fl, gl, 1970 + i % 35, 'KP',
                       f || ' ' || g || ' ' || fl || ' ' || gl, fl || ' ' || gl || ' ' || r, f || ' ' || g, fl || ' ' || gl, now() - (i % 700) * interval '1 hour',
                       'Kursk region', 'unit', 'UA-SSO', 'PrisonerOfWar', 1, now(), now()
                FROM (
                    SELECT i,
                           chr((44032 + (i::bigint * 7919) % 11172)::int) AS f,
                           chr((44032 + (i::bigint * 104729) % 11172)::int) || chr((44032 + (i::bigint * 15485863) % 11172)::int) AS g,
                           translate(substr(md5(i::text), 1, 5), '0123456789', 'ghijklmnop') AS fl,
                           translate(substr(md5((i * 31)::text), 1, 4), '0123456789', 'qrstuvwxyz') || ' ' ||
                           translate(substr(md5((i * 17)::text), 1, 5), '0123456789', 'ghijklmnop') AS gl,
                           (ARRAY['ivanov', 'smirnov', 'novikov', 'lebedev', 'petrov', 'sidorov', 'popov', 'kuznetsov', 'morozov', 'volkov',
                                  'pavlov', 'semenov', 'golubev', 'bogdanov', 'vorobev', 'fedorov', 'zaitsev', 'vasilev', 'orlov', 'egorov'])[1 + i % 20] AS r
                    FROM generate_series(1, {Cases}) AS i
                ) AS names;
                """);
            // Sets the visibility map too, as autovacuum would, so that index-only scans need not visit the table.
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE cases");
            return 0;
        });
    }

    public Task DisposeAsync() => Intake.DisposeAsync();
}

/// <summary>
/// Name search and duplicate detection on a register of 100,000 cases: the plans PostgreSQL chooses
/// (printed with dotnet test --logger "console;verbosity=detailed") and what they find.
/// </summary>
public sealed class LargeRegisterTests(LargeRegister register, ITestOutputHelper output) : IClassFixture<LargeRegister>
{
    private IntakeFixture Intake => register.Intake;

    [Fact]
    public async Task A_name_search_over_100000_cases_uses_the_trigram_index()
    {
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = "Jong Hyok", PageSize = 50 });
        var (plan, found) = await SearchAsync(search);

        Assert.Contains(Guid.Parse(register.Rifleman.CaseId), found);
        Assert.Contains("ix_cases_search_text_trgm", plan);
        Assert.DoesNotContain("Seq Scan", plan);

        var clock = Stopwatch.StartNew();
        var response = await Intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = "jong hyok", PageSize = 50 });
        output.WriteLine($"SearchCases through gRPC over {LargeRegister.Cases + 1} cases: {clock.ElapsedMilliseconds} ms, {response.Cases.Count} found");
        Assert.Contains(register.Rifleman.CaseId, response.Cases.Select(c => c.CaseId));
    }

    /// <summary>
    /// A name as written in Hangul, a family name of one syllable and a given name of two: neither word gives pg_trgm a
    /// trigram, so before the syllable index the search read every case (at a million, 2.9-7.0 s: docs/performance.md).
    /// Now each word's same-script arm is looked up in the syllable index, and what is found is what the rule says: every
    /// case whose tokens hold both words, and only cases that the LIKEs or the cross-script keys let through.
    /// </summary>
    [Fact]
    public async Task A_name_written_in_hangul_with_words_of_one_and_two_syllables_is_looked_up_in_the_syllable_index()
    {
        var (family, given) = await Intake.QueryAsync(async db =>
        {
            var written = await db.Cases.AsNoTracking().Where(c => c.Number == 5_000).Select(c => new { c.Identity.FamilyName, c.Identity.GivenNames }).SingleAsync();
            return (written.FamilyName!, written.GivenNames!);
        });
        Assert.Equal((1, 2), (family.Length, given.Length));
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = $"{family} {given}", PageSize = 50 });
        var (plan, found) = await SearchAsync(search);

        Assert.Contains("ix_cases_search_syllables", plan);
        Assert.DoesNotContain("Seq Scan", plan);
        var holdingBoth = await Intake.QueryAsync(db => db.Cases.AsNoTracking()
            .Where(c => EF.Functions.Like(c.SearchText, $"%{family}%") && EF.Functions.Like(c.SearchText, $"%{given}%")).Select(c => c.CaseId).ToListAsync());
        Assert.NotEmpty(holdingBoth);
        Assert.Subset(found.ToHashSet(), holdingBoth.ToHashSet());
    }

    /// <summary>
    /// A one-syllable word finds exactly the cases the rule's LIKEs find (the syllable array only narrows the cases the
    /// LIKE is checked on): the array holds each character of the same-script tokens, however the database splits them.
    /// </summary>
    [Fact]
    public async Task A_one_syllable_word_finds_exactly_the_cases_its_likes_find()
    {
        var family = await Intake.QueryAsync(db => db.Cases.AsNoTracking().Where(c => c.Number == 7_000).Select(c => c.Identity.FamilyName!).SingleAsync());
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = family, PageSize = 50 });
        var word = Assert.Single(search.NameWords!.Words);
        Assert.True(Registry.Intake.Domain.NameSearch.IsShortSyllableWord(word.Compact));

        var found = await Intake.QueryAsync(db => CaseSearchQuery.WithIndexSimilarityThresholdAsync(db,
            () => db.Cases.AsNoTracking().Matching(search, fuzzy: true).Select(c => c.Number).OrderBy(n => n).ToListAsync(), default));
        var byLike = await Intake.QueryAsync(db => db.Cases.AsNoTracking()
            .Where(c => EF.Functions.Like(c.SearchText, $"%{word.Compact}%") || EF.Functions.Like(c.SearchKey!, $"%{word.Cross}%")
                        || (word.CrossH != null && EF.Functions.Like(c.SearchKey!, $"%{word.CrossH}%"))
                        || (word.CrossSurname != null && EF.Functions.Like(c.SearchKey!, $"%{word.CrossSurname}%")))
            .Select(c => c.Number).OrderBy(n => n).ToListAsync());
        Assert.NotEmpty(found);
        Assert.Equal(byLike, found);
    }

    /// <summary>
    /// A slip in a short word of a full-name query ("Hyk" for Hyok): the whole-name stage (all words but one,
    /// the first-letter anchor, the whole key's half by LIKE and its word similarity) finds him, still from the
    /// trigram indexes: every arm of the OR has an indexed LIKE, no table scan.
    /// </summary>
    [Fact]
    public async Task A_full_name_search_with_a_slip_over_100000_cases_uses_the_trigram_index()
    {
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = "Ri Jong Hyk", PageSize = 50 });
        var (plan, found) = await SearchAsync(search);

        Assert.Contains(Guid.Parse(register.Rifleman.CaseId), found);
        Assert.Contains("trgm", plan);
        Assert.DoesNotContain("Seq Scan", plan);

        var response = await Intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = "Ri Jong Hyk", PageSize = 50 });
        Assert.Contains(register.Rifleman.CaseId, response.Cases.Select(c => c.CaseId));
    }

    /// <summary>
    /// A word of six letters whose halves are common (in one case in twenty and in four) but which is no one's name: the
    /// fuzzy stage's index condition (<c>&lt;&lt;%</c>) returns the few rows with similar tokens, and the index phase reads
    /// those. With the halves by LIKE as the index condition it would read every case holding "leb" or "nov", nearly a third
    /// of the register; and their large estimate made the planner walk the primary key through the whole register (at a
    /// million cases, 3.6 s a search: docs/performance.md, "A million cases").
    /// </summary>
    [Fact]
    public async Task A_fuzzy_word_with_common_halves_is_looked_up_in_the_trigram_index_not_by_walking_the_register()
    {
        // "leb" as in Lebedev (5 % of the cases), "nov" as in Ivanov, Smirnov, Novikov, Semenov, Bogdanov (25 %); no token is like "lebnov".
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = "lebnov", PageSize = 20 });
        var (plan, _) = await SearchAsync(search);

        Assert.DoesNotContain("PK_cases", plan);
        Assert.Contains("%>>", plan);
        var removed = System.Text.RegularExpressions.Regex.Matches(plan, @"Rows Removed by (?:Filter|Index Recheck): (\d+)").Sum(m => long.Parse(m.Groups[1].Value));
        Assert.True(removed < LargeRegister.Cases / 10, $"{removed} rows read and thrown away");
    }

    /// <summary>
    /// A name search reads its page by the plan the data call for, not the planner's estimate: a common name ("ivan", in
    /// one case in twenty; "ivanov", a word long enough for the fuzzy stage) in registration order over the next cases; a
    /// rare one ("hyok", "lebnov"), or a page the next cases cannot fill (200 "ivan" where the window holds about 100), from
    /// the indexes. Either way the page is the query's first matches after the position, and the next page continues
    /// where it ended.
    /// </summary>
    [Theory]
    [InlineData("ivan", 20, CaseSearchQuery.Plan.RegistrationOrder)]
    [InlineData("ivan", 200, CaseSearchQuery.Plan.IndexMatches)]
    [InlineData("ivanov", 20, CaseSearchQuery.Plan.RegistrationOrder)]
    [InlineData("hyok", 20, CaseSearchQuery.Plan.IndexMatches)]
    [InlineData("lebnov", 20, CaseSearchQuery.Plan.IndexMatches)]
    public async Task A_name_search_page_is_read_by_the_plan_its_matches_call_for(string name, int pageSize, CaseSearchQuery.Plan expected)
    {
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = name, PageSize = pageSize });
        Assert.Equal(name.Length >= Registry.Intake.Domain.NameSearch.FuzzyMinLength, CaseSearchQuery.HasFuzzyStage(search.NameWords!));

        var (first, plan, second, all) = await TwoPagesByNameAsync(search);

        Assert.Equal(expected, plan);
        Assert.Equal(all.Take(pageSize), first.Items.Select(c => c.Number));
        Assert.Equal(all.Skip(pageSize).Take(pageSize), second?.Items.Select(c => c.Number) ?? []);
    }

    /// <summary>
    /// A window of registration order that holds exactly a page of matches is not the page: the read cannot tell from it
    /// whether any match comes after the window, and the page it gave had no next-page token, so a client was told the list
    /// ended there (found by a review of the twenty-ninth increment: "ivanov" with a page of 99, the window's count). The
    /// page comes from the indexes then, with its token, and the next page continues.
    /// </summary>
    [Theory]
    [InlineData("ivan")]
    [InlineData("ivanov")]
    public async Task A_window_holding_exactly_a_page_of_matches_still_says_more_follow(string name)
    {
        var probe = SearchCasesValidator.Validate(new SearchCasesRequest { Name = name, PageSize = 20 });
        var inWindow = await Intake.QueryAsync(db => CaseSearchQuery.WithIndexSimilarityThresholdAsync(db,
            () => db.Cases.AsNoTracking().Matching(probe, fuzzy: true).CountAsync(c => c.Number <= CaseSearchQuery.RegistrationWindow), default));
        Assert.InRange(inWindow, 2, 500);

        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = name, PageSize = inWindow });
        var (first, _, second, all) = await TwoPagesByNameAsync(search);

        Assert.True(all.Count > inWindow, $"{all.Count} matches in all, {inWindow} in the window");
        Assert.Equal(all.Take(inWindow), first.Items.Select(c => c.Number));
        Assert.NotEmpty(first.NextPageToken);
        Assert.Equal(all.Skip(inWindow).Take(inWindow), second!.Items.Select(c => c.Number));
    }

    /// <summary>
    /// SearchCases reads every PostgreSQL name search's page that way, a search with a fuzzy stage too (the trace tag
    /// <see cref="CaseSearchQuery.PlanTag"/> says which plan read it): left to the planner, a fuzzy search whose matches it
    /// overestimated walked the primary key through the whole register for a name few cases bear (3.9 s at a million
    /// cases: docs/performance.md, "Fuzzy name searches by the window first").
    /// </summary>
    [Theory]
    [InlineData("ivanov", "registration_order")]
    [InlineData("Ri Jong Hyk", "index_matches")]
    public async Task A_fuzzy_name_search_is_read_by_the_window_or_the_indexes_never_by_the_planners_guess(string name, string expected)
    {
        var search = SearchCasesValidator.Validate(new SearchCasesRequest { Name = name, PageSize = 20 });
        Assert.True(CaseSearchQuery.HasFuzzyStage(search.NameWords!));

        using var call = new Activity("test SearchCases").Start();
        await using var scope = Intake.Service.Services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<SearchCasesHandler>().HandleAsync(search, default);

        Assert.Equal(expected, call.GetTagItem(CaseSearchQuery.PlanTag));
        Assert.NotEmpty(page.Items);
    }

    /// <summary>
    /// The same person registered again, thousands of registrations after the first time: blocking finds
    /// him by his name keys, however long ago he was registered, through the blocking indexes (no scan of a
    /// nationality and birth year, no table scan).
    /// </summary>
    [Fact]
    public async Task A_duplicate_among_100000_cases_is_found_however_long_ago_it_was_registered()
    {
        var first = await Intake.QueryAsync(async db =>
        {
            // The second case written, born in 1972, a year with ~2,860 cases. The rows were written straight into
            // the table, without blocking keys: this one gets them as a registration (or a key rebuild) would.
            var early = await db.Cases.AsNoTracking().Where(c => c.Identity.BirthYear == 1972).OrderBy(c => c.Number).FirstAsync();
            var keys = CaseBlockingKeys.Of(early.Identity);
            await db.Database.ExecuteSqlRawAsync("""
                UPDATE cases SET "LinkageFamilyKey" = {0}, "LinkageGivenKey" = {1}, "LinkageFullKey" = {2}, "LinkageFullKeyLatin" = {3},
                                 "LinkageFamilyBlock" = {4}, "LinkageGivenBlock" = {5}, "LinkageBirthYear" = {6}
                WHERE "Number" = {7}
                """, keys.FamilyKey!, keys.GivenKey!, keys.FullKey!, keys.FullKeyLatin!, keys.FamilyBlock!, keys.GivenBlock!, keys.BirthYear!, early.Number);
            return early;
        });
        var later = Requests.Rifleman();
        later.Identity = new Identity
        {
            FamilyName = first.Identity.FamilyName, GivenNames = first.Identity.GivenNames,
            FamilyNameLatin = first.Identity.FamilyNameLatin, GivenNamesLatin = first.Identity.GivenNamesLatin,
            DateOfBirth = new PartialDate { Year = 1972 }, Nationality = "KP",
        };

        var registered = await Intake.Client.RegisterCaptureAsync(later);

        Assert.Contains(first.CaseId.ToString(), registered.DuplicateCandidates.Select(d => d.OtherCaseId));
        var plan = await Intake.QueryAsync(async db =>
        {
            var stored = await db.Cases.AsNoTracking().SingleAsync(c => c.CaseId == Guid.Parse(registered.Case.CaseId));
            var query = BlockingQuery.For(LinkageRecord.Of(stored.Number, stored.Identity, stored.CapturePlace, stored.CapturedAt));
            return await ExplainAsync(db, db.BlockedWith(query, stored.Number)!);
        });
        Assert.Contains("IX_cases_LinkageFullKey_LinkageBirthYear", plan);
        Assert.Contains("IX_cases_LinkageFamilyBlock_LinkageBirthYear", plan);
        Assert.DoesNotContain("Seq Scan", plan);
    }

    /// <summary>
    /// The name frequency counts of a registration (<see cref="DuplicateQuery.KeyCountsStatement"/>), planned as in a case's
    /// write, without the window's values (<c>force_generic_plan</c>): at 100,000 cases still each key's part of the window
    /// through the (key, number) indexes, not the window through the primary key (which EF Core's form of the statement
    /// chose at 30,000 cases: 25 ms a registration against 0.26).
    /// </summary>
    [Fact]
    public async Task The_name_frequency_counts_planned_without_their_values_read_each_keys_part_of_the_window()
    {
        var plan = await Intake.QueryAsync(db => QueryPlans.GenericPlanOfAsync(db, DuplicateQuery.KeyCountsStatement,
            ["text[]", "bigint", "bigint", "bigint", "bigint"], $"ARRAY['ri', 'jonghyok'], {LargeRegister.Cases - LinkageModel.FrequencyWindow}, {LargeRegister.Cases}, 1, 0"));
        output.WriteLine(plan);

        Assert.Contains($"IX_cases_{BlockingColumns.FamilyKeyColumn}_Number", plan);
        Assert.Contains($"IX_cases_{BlockingColumns.GivenKeyColumn}_Number", plan);
        Assert.DoesNotContain("PK_cases", plan);
        Assert.DoesNotContain("Seq Scan", plan);
    }

    /// <summary>
    /// <paramref name="search"/>'s first page by <see cref="CaseSearchQuery.PageByNameAsync"/> and the plan that read it, the
    /// page after it when the first has a next-page token (else null), and every match's number in registration order.
    /// </summary>
    private Task<(Registry.ServiceDefaults.Data.Page<Registry.Intake.Domain.CaptureCase> First, CaseSearchQuery.Plan Plan, Registry.ServiceDefaults.Data.Page<Registry.Intake.Domain.CaptureCase>? Second, List<long> All)> TwoPagesByNameAsync(CaseSearch search) =>
        Intake.QueryAsync(async db =>
        {
            var matching = db.Cases.AsNoTracking().Matching(search, fuzzy: true);
            var (page, plan) = await CaseSearchQuery.PageByNameAsync(db, matching, search.Page, default);
            var next = page.NextPageToken.Length == 0
                ? null
                : (await CaseSearchQuery.PageByNameAsync(db, matching, search.Page with { Position = page.Items[^1].Number.ToString(CultureInfo.InvariantCulture) }, default)).Page;
            var every = await CaseSearchQuery.WithIndexSimilarityThresholdAsync(db,
                () => matching.OrderBy(c => c.Number).Select(c => c.Number).ToListAsync(), default);
            return (page, plan, (Registry.ServiceDefaults.Data.Page<Registry.Intake.Domain.CaptureCase>?)next, every);
        });

    /// <summary>
    /// The plan of the statement SearchCases runs for a name with a fuzzy stage when the window of registration order does
    /// not hold its page (<see cref="CaseSearchQuery.Plan.IndexMatches"/>: index and table scans off, so a plan that still
    /// walks the primary key or the table means a condition no index answers), and every case the search finds.
    /// </summary>
    private Task<(string Plan, List<Guid> Found)> SearchAsync(CaseSearch search)
    {
        Assert.True(CaseSearchQuery.HasFuzzyStage(search.NameWords!));
        return Intake.QueryAsync(db => CaseSearchQuery.WithIndexSimilarityThresholdAsync(db, async () =>
        {
            await CaseSearchQuery.ImposePlanAsync(db, CaseSearchQuery.Plan.IndexMatches, default);
            return (await ExplainAsync(db, db.Cases.AsNoTracking().Matching(search, fuzzy: true).Where(c => c.Number > long.MinValue).OrderBy(c => c.Number).Take(search.Page.Size)),
                    await db.Cases.AsNoTracking().Matching(search, fuzzy: true).Select(c => c.CaseId).ToListAsync());
        }, default));
    }

    private async Task<string> ExplainAsync<T>(IntakeDbContext db, IQueryable<T> query)
    {
        await using var command = query.CreateDbCommand();
        await db.Database.OpenConnectionAsync();
        var sql = command.CommandText;
        command.CommandText = "EXPLAIN (ANALYZE, BUFFERS, COSTS) " + sql;
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        output.WriteLine(sql);
        output.WriteLine(string.Join('\n', lines));
        return string.Join('\n', lines);
    }
}
