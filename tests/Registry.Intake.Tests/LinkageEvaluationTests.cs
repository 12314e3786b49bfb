using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;
using Registry.Intake.Features.Duplicates;
using Registry.Linkage;

namespace Registry.Intake.Tests;

/// <summary>
/// The labelled set of tools/Registry.Linkage stored as cases in a real intake database: 3,000 persons
/// (Korean, Russian and Ukrainian names in their scripts and three transliterations each, realistic
/// frequencies), written through the domain (<see cref="CaptureCase.Register"/>, <see cref="CaptureCase.Assert"/>)
/// so that their stored blocking keys are the service's.
/// </summary>
public sealed class LinkageRegister : IAsyncLifetime
{
    public const int Persons = 3_000;
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public IntakeFixture Intake { get; } = new();
    public EvaluationSet Set { get; } = new Generator(7).Generate(Persons, perVariation: 20, newPersons: 100);
    public IReadOnlyList<long> Numbers { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await Intake.InitializeAsync();
        Numbers = await Intake.QueryAsync(async db =>
        {
            var numbers = new List<long>(Persons);
            foreach (var chunk in Set.Registry.Chunk(500))
            {
                var cases = chunk.Select(Case).ToList();
                db.Cases.AddRange(cases);
                await db.SaveChangesAsync();
                numbers.AddRange(cases.Select(c => c.Number));
                db.ChangeTracker.Clear();
            }

            return numbers;
        });
    }

    /// <summary>A record as a case, through the domain as a registration makes it (not saved).</summary>
    public static CaptureCase Case(SyntheticRecord r)
    {
        var c = CaptureCase.Register(Guid.NewGuid(), new byte[CaptureCase.RequestHashLength],
            new CaptureDetails(r.CapturedAt, r.CapturePlace, null, null, "unit", r.CapturingAgency, null), Now);
        var identity = Records.Identity(r);
        var facts = new Dictionary<string, string?>
        {
            ["family_name"] = identity.FamilyName,
            ["given_names"] = identity.GivenNames,
            ["family_name_latin"] = identity.FamilyNameLatin,
            ["given_names_latin"] = identity.GivenNamesLatin,
            ["date_of_birth"] = identity.DateOfBirth?.ToString(),
            ["nationality"] = identity.Nationality,
            ["service_number"] = identity.ServiceNumber,
        };
        c.Assert(facts.Where(f => f.Value is not null).ToDictionary(), new AssertionSource(SourceKind.Document, "register", null, null, null), Now);
        c.InitialStatus(StatusCategory.PrisonerOfWar, Now);
        return c;
    }

    public Task DisposeAsync() => Intake.DisposeAsync();
}

/// <summary>
/// The service's duplicate detection against the benchmark's in-memory evaluation on the same records: the
/// database's blocking (<see cref="DuplicateQuery.BlockedAsync"/>, the statement a registration runs) selects the same cases as the in-memory
/// index (<see cref="BlockingIndex"/>), and <see cref="DuplicateFinder"/> names the same candidates with the
/// same weights, so the benchmark's figures (docs/linkage.md) are the service's.
/// </summary>
public sealed class LinkageEvaluationTests(LinkageRegister register) : IClassFixture<LinkageRegister>
{
    private IEnumerable<SyntheticRecord> Probes => register.Set.Seconds.Concat(register.Set.NewPersons);

    [Fact]
    public async Task The_database_blocking_selects_the_same_cases_as_the_in_memory_blocking()
    {
        var evaluation = new Evaluation(register.Set, register.Numbers);
        var (selected, truths) = (0, 0);

        foreach (var probe in Probes)
        {
            var record = Records.Linkage(probe, 0);
            var query = BlockingQuery.For(record);
            var inMemory = evaluation.Index.Select(query, 0).Keys.Select(r => r.Number).Order().ToList();

            var inDatabase = await register.Intake.QueryAsync(async db =>
                (await db.BlockedAsync(query, 0, CancellationToken.None)).Select(e => e.Number).Distinct().Order().ToList());

            Assert.Equal(inMemory, inDatabase);
            selected += inDatabase.Count;
            truths += probe.Role == RecordRole.Second && inDatabase.Contains(register.Numbers[register.Set.Registry.ToList().FindIndex(r => r.PersonId == probe.PersonId)]) ? 1 : 0;
        }

        // The comparison means something: blocks are not empty, and nearly every second record's first is in its block.
        Assert.True(selected > Probes.Count(), $"{selected} cases selected");
        Assert.InRange(truths, register.Set.Seconds.Count * 95 / 100, register.Set.Seconds.Count);
    }

    [Fact]
    public async Task The_service_names_the_same_candidates_with_the_same_weights_as_the_benchmark()
    {
        var evaluation = new Evaluation(register.Set, register.Numbers);
        var found = 0;

        foreach (var probe in Probes)
        {
            var expected = evaluation.Run(probe, 0).Candidates(LinkageModel.Threshold).Select(c => (c.Other.Number, c.Score.MatchWeight)).ToList();

            var actual = await register.Intake.QueryAsync(async db =>
                (await new DuplicateFinder(db).FindAsync(LinkageRegister.Case(probe), LinkageRegister.Now, CancellationToken.None))
                .Select(d => (d.OtherCaseNumber, d.MatchWeight)).ToList());

            Assert.Equal(expected, actual);
            found += actual.Count;
        }

        Assert.True(found >= register.Set.Seconds.Count * 9 / 10, $"{found} candidates for {register.Set.Seconds.Count} second records");
    }

    [Fact]
    public async Task The_batch_reads_the_stored_blocking_keys_which_are_the_keys_the_names_give()
    {
        var queries = Probes.Take(300).Select(p => BlockingQuery.For(Records.Linkage(p, 0))).ToList();
        var read = await register.Intake.QueryAsync(async db =>
        {
            var all = new List<EarlierCase>();
            foreach (var statement in db.Cases.AsNoTracking().BlockedWithAny(queries))
            {
                all.AddRange(await statement.ToListAsync());
            }

            return all;
        });

        Assert.True(read.Count > 300, $"{read.Count} cases read");
        Assert.All(read, e =>
        {
            var record = e.ToLinkage();
            Assert.True(record.KeysKnown, "the stored keys, not computed");
            var computed = CaseBlockingKeys.Of(new PersonIdentity
            {
                FamilyName = e.FamilyName, GivenNames = e.GivenNames, FamilyNameLatin = e.FamilyNameLatin, GivenNamesLatin = e.GivenNamesLatin,
                BirthYear = e.BirthYear, BirthMonth = e.BirthMonth, BirthDay = e.BirthDay,
            });
            Assert.True(record.Keys.SameAs(computed), $"case {e.Number}: stored keys differ from its names' keys");
        });

        // Keys stored by an older version of the name keys are computed from the names instead (until the rebuild at start).
        var older = read[0];
        var stale = new EarlierCase
        {
            Number = older.Number, FamilyName = older.FamilyName, GivenNames = older.GivenNames, BirthYear = older.BirthYear,
            FamilyKey = "stale", FamilyBlock = "stale/x", NameKeyVersion = Registry.Intake.Domain.Names.NameKeys.Version - 1,
        }.ToLinkage();
        Assert.False(stale.KeysKnown);
        Assert.NotEqual("stale", stale.Keys.FamilyKey);
    }

    /// <summary>
    /// The batch's statement on PostgreSQL (<see cref="DuplicateQuery.BlockedForBatchAsync"/>, one text for every batch) reads
    /// the cases the statements built from the batch's birth years (<see cref="DuplicateQuery.BlockedWithAny"/>) read, for
    /// batches of every size, rows of unknown birth year included; and that set holds each row's block as the in-memory
    /// index selects it.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(85)]
    [InlineData(600)]
    public async Task The_batch_statement_reads_what_the_statements_built_per_batch_read(int rows)
    {
        var records = Probes.Take(rows).Select((p, i) => Records.Linkage(p, 0)).ToList();
        var queries = records.Select(BlockingQuery.For).Select((q, i) => i % 7 == 3 ? q with { BirthYear = null } : q).ToList();
        var (fixedText, built) = await register.Intake.QueryAsync(async db =>
        {
            var perBatch = new List<EarlierCase>();
            foreach (var statement in db.Cases.AsNoTracking().BlockedWithAny(queries))
            {
                perBatch.AddRange(await statement.ToListAsync());
            }

            return (await db.BlockedForBatchAsync(queries, CancellationToken.None), perBatch);
        });

        Assert.Equal(built.Select(e => e.Number).Distinct().Order(), fixedText.Select(e => e.Number).Distinct().Order());
        Assert.True(fixedText.Count >= rows, $"{fixedText.Count} cases read for {rows} rows");
        // What the batch compares is what it read: the cases as EarlierCase carries them, stored keys included.
        var evaluation = new Evaluation(register.Set, register.Numbers);
        var read = fixedText.DistinctBy(e => e.Number).ToDictionary(e => e.Number);
        foreach (var query in queries)
        {
            Assert.All(evaluation.Index.Select(query, 0).Keys, r => Assert.True(read.TryGetValue(r.Number, out var e) && e.ToLinkage().KeysKnown,
                $"case {r.Number} of a row's block was not read, or without its stored keys"));
        }
    }

    [Fact]
    public async Task A_new_cases_name_frequencies_count_the_cases_numbered_before_it_and_a_corrections_the_latest()
    {
        // A case in the middle of the register: half the register was numbered after it.
        var records = register.Set.Registry.Select((r, i) => Records.Linkage(r, register.Numbers[i])).ToList();
        var record = records[records.Count / 2];
        var (before, latest) = await register.Intake.QueryAsync(async db => (
            await db.FrequenciesAsync(record, beforeRecord: true, CancellationToken.None),
            await db.FrequenciesAsync(record, beforeRecord: false, CancellationToken.None)));

        var keys = NameCounts.KeysOf(record);
        void Expect(NameFrequencies actual, List<LinkageRecord> counted, long latestNumber)
        {
            var window = Math.Min(latestNumber, LinkageModel.FrequencyWindow);
            foreach (var key in keys)
            {
                Assert.Equal(NameFrequencies.Share(counted.Count(r => r.Keys.FamilyKey == key), window), actual.Family(key), 12);
                Assert.Equal(NameFrequencies.Share(counted.Count(r => r.Keys.GivenKey == key), window), actual.Given(key), 12);
            }
        }

        Expect(before, records.Where(r => r.Number < record.Number).ToList(), record.Number - 1);
        var others = records.Where(r => r.Number != record.Number).ToList();
        Expect(latest, others, others.Max(r => r.Number));
        // The two differ: the cases after it are counted in one only.
        Assert.Contains(keys, k => before.Family(k) != latest.Family(k) || before.Given(k) != latest.Given(k));
    }

    [Fact]
    public async Task PostgreSQLs_frequency_statement_counts_what_the_query_SQLite_runs_counts_for_any_window_and_cases_left_out()
    {
        var records = register.Set.Registry.Select((r, i) => Records.Linkage(r, register.Numbers[i])).ToList();
        var keys = records.Take(200).SelectMany(NameCounts.KeysOf).Append("no-such-key").Distinct().ToArray();
        var (first, last) = (register.Numbers.Min(), register.Numbers.Max());
        var middle = first + (last - first) / 2;
        // Windows cutting the register at both ends, and ranges of cases left out inside, at the edges and none (1, 0).
        var windows = new[] { (first - 1, last), (middle, last), (first + 100, middle), (first - 1, first + 10) };
        var leftOut = new[] { (1L, 0L), (middle, middle), (first, first + 500), (middle - 3, last + 5) };
        await register.Intake.QueryAsync(async db =>
        {
            foreach (var (floor, upTo) in windows)
            {
                foreach (var (from, to) in leftOut)
                {
                    var statement = await db.Database.SqlQueryRaw<KeyCount>(DuplicateQuery.KeyCountsStatement, keys, floor, upTo, from, to).ToListAsync();
                    var query = await db.Cases.Where(c => c.Number < from || c.Number > to).KeyCounts(keys, floor, upTo).ToListAsync();
                    Assert.Equal(
                        query.Select(c => (c.Given, c.Key, c.Count)).Order(),
                        statement.Where(c => c.Count > 0).Select(c => (c.Given, c.Key, c.Count)).Order());
                    // Something is counted unless the cases left out cover the window.
                    Assert.Equal(!(from <= floor + 1 && to >= upTo), statement.Any(c => c.Count > 0));
                    // Every key is answered once as a family and once as a given-name key, counted or not.
                    Assert.Equal(keys.Length * 2, statement.Count);
                }
            }

            return 0;
        });
    }
}
