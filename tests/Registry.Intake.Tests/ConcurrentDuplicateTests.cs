using Microsoft.EntityFrameworkCore;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Import;
using Registry.Intake.Features.Registration;
using Registry.ServiceDefaults.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// Duplicate detection between writers that run at once (<see cref="DuplicateLocks"/>): the same person in two imports,
/// in an import and a RegisterCapture call, or a correction and a registration, is paired although neither writer had
/// committed when the other began. Each test makes the race certain: the cases table is held in SHARE mode (reads go on,
/// inserts wait), so the first writer waits with its cases not committed (a registration with its look-up done; an import
/// part before its look-up, which it makes after its rows) while the second comes; without the locks both look-ups would
/// run while neither had committed, and miss each other's cases.
/// </summary>
public sealed class ConcurrentDuplicateTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private async Task<RawGrpc.TableLock> HoldCaseWritesAsync(string table = "cases") =>
        await RawGrpc.LockAsync(await intake.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), table, "SHARE");

    /// <summary>The keys <paramref name="request"/>'s case will be locked by (<see cref="DuplicateLocks"/>).</summary>
    private static IReadOnlyCollection<int> LockKeysOf(RegisterCaptureRequest request) =>
        ImportCapturesHandler.LockKeysOf(RegisterCaptureValidator.Read(request, DateTimeOffset.UtcNow, new FieldViolations())
                                         ?? throw new ArgumentException("not a valid registration", nameof(request)));

    private static Task UntilWaitingAsync(RawGrpc.TableLock hold, int writers) =>
        Eventually.TrueAsync(async () => await hold.WaitingSessionsAsync() >= writers, TimeSpan.FromSeconds(30), $"{writers} writers waiting on a lock");

    /// <summary>The same people again under new request_ids: what a second list of the same persons holds.</summary>
    private static RegisterCaptureRequest Again(RegisterCaptureRequest row)
    {
        var again = row.Clone();
        again.RequestId = Guid.NewGuid().ToString();
        return again;
    }

    private static ImportCapturesRequest List(IEnumerable<RegisterCaptureRequest> rows)
    {
        var request = new ImportCapturesRequest();
        request.Rows.AddRange(rows);
        return request;
    }

    private static bool Pairs(IEnumerable<DuplicateCandidate> candidates, string caseId, string otherCaseId) =>
        candidates.Any(c => (c.CaseId, c.OtherCaseId) == (caseId, otherCaseId) || (c.CaseId, c.OtherCaseId) == (otherCaseId, caseId));

    [Theory]
    [InlineData(12)] // one transaction each
    [InlineData(300)] // more than DuplicateLocks.KeysPerTransaction keys: each import in parts, a transaction each
    public async Task Two_imports_of_the_same_people_at_once_pair_every_person(int people)
    {
        var first = Enumerable.Range(0, people).Select(_ => ImportCapturesTests.Person()).ToList();
        var second = first.Select(Again).ToList();
        Task<ImportCapturesResponse> importingFirst, importingSecond;
        await using (var hold = await HoldCaseWritesAsync())
        {
            importingFirst = intake.Client.ImportCapturesAsync(List(first)).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            importingSecond = intake.Client.ImportCapturesAsync(List(second)).ResponseAsync;
            await UntilWaitingAsync(hold, 2);
        }

        var (a, b) = (await importingFirst, await importingSecond);
        Assert.All(a.Results.Concat(b.Results), r => Assert.Equal(ImportRowOutcome.Created, r.Outcome));
        var missed = Enumerable.Range(0, people)
            .Count(i => !Pairs(a.Results[i].DuplicateCandidates.Concat(b.Results[i].DuplicateCandidates), a.Results[i].CaseId, b.Results[i].CaseId));
        Assert.True(missed == 0, $"{missed} of {people} people registered by both imports were not paired");
    }

    /// <summary>
    /// A slip in the given name ("Valentim" for Valentin: another given key and whole name, a close name for scoring) and a
    /// birth year one off leave the pair only the family-and-initial rule, so only that block's lock makes the second import
    /// wait for the first; a lock scheme that names the birth year must still give the two a lock in common
    /// (docs/performance.md, thirty-sixth increment: one naming the year alone failed here). The family name is random, so
    /// no other test's case shares the block.
    /// </summary>
    [Fact]
    public async Task Two_imports_of_one_person_with_a_slip_in_the_given_name_and_the_birth_year_one_off_pair_them()
    {
        var person = ImportCapturesTests.Person(1998, given: "Valentin");
        var slipped = ImportCapturesTests.Person(1999, person.Identity.FamilyNameLatin, "Valentim");
        // Their one lock in common is the family block's (the given keys, whole names and service numbers differ).
        Assert.Single(LockKeysOf(person).Intersect(LockKeysOf(slipped)));
        Task<ImportCapturesResponse> importingFirst, importingSecond;
        await using (var hold = await HoldCaseWritesAsync())
        {
            importingFirst = intake.Client.ImportCapturesAsync(List([person])).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            importingSecond = intake.Client.ImportCapturesAsync(List([slipped])).ResponseAsync;
            await UntilWaitingAsync(hold, 2);
        }

        var (a, b) = (await importingFirst, await importingSecond);
        Assert.True(Pairs(a.Results[0].DuplicateCandidates.Concat(b.Results[0].DuplicateCandidates), a.Results[0].CaseId, b.Results[0].CaseId),
            "the same person with a slip in the given name and the birth year one off, imported at once, was not paired");
    }

    [Fact]
    public async Task A_registration_beside_an_import_of_the_same_person_is_paired_with_it()
    {
        var list = Enumerable.Range(0, 5).Select(_ => ImportCapturesTests.Person()).ToList();
        var alone = Again(list[2]);
        Task<ImportCapturesResponse> importing;
        Task<RegisterCaptureResponse> registering;
        await using (var hold = await HoldCaseWritesAsync())
        {
            importing = intake.Client.ImportCapturesAsync(List(list)).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            registering = intake.Client.RegisterCaptureAsync(alone).ResponseAsync;
            await UntilWaitingAsync(hold, 2);
        }

        var (imported, registered) = (await importing, await registering);
        Assert.True(Pairs(imported.Results[2].DuplicateCandidates.Concat(registered.DuplicateCandidates), imported.Results[2].CaseId, registered.Case.CaseId),
            "the registration and the import's row of the same person were not paired");
    }

    /// <summary>
    /// An import writes its rows before it waits for the duplicate locks (<see cref="ImportCapturesHandler"/>): held at its
    /// insert, it holds none of them, so a registration of the same person, numbered after it, goes on to its own insert (with
    /// the locks first, it waited on the import's locks). Released, the registration commits first (its look-up ran before the
    /// import's cases went in); the import's look-up, made under the locks the registration held, then finds that case,
    /// numbered after its own, and keeps the pair later case first, as a registration keeps such a pair
    /// (<see cref="DuplicateCandidate.LaterFirst"/>): without that, the pair would be kept import case first.
    /// </summary>
    [Fact]
    public async Task An_import_waits_for_the_duplicate_locks_after_its_rows_and_keeps_a_pair_numbered_later_later_case_first()
    {
        var person = ImportCapturesTests.Person();
        var again = Again(person);
        Task<ImportCapturesResponse> importing;
        Task<RegisterCaptureResponse> registering;
        await using (var hold = await HoldCaseWritesAsync())
        {
            importing = intake.Client.ImportCapturesAsync(List([person])).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            registering = intake.Client.RegisterCaptureAsync(again).ResponseAsync;
            await UntilWaitingAsync(hold, 2);
            var waiting = await hold.WaitingStatementsAsync();
            Assert.DoesNotContain(waiting, s => s.Contains("pg_advisory_xact_lock", StringComparison.Ordinal));
        }

        var (imported, registered) = (Assert.Single((await importing).Results), await registering);
        Assert.True(long.Parse(registered.Case.CaseNumber.Split('-')[^1]) > long.Parse(imported.CaseNumber.Split('-')[^1]),
            $"the registration ({registered.Case.CaseNumber}) was to be numbered after the import's case ({imported.CaseNumber})");
        Assert.Empty(registered.DuplicateCandidates);
        var pair = Assert.Single(imported.DuplicateCandidates);
        Assert.Equal((registered.Case.CaseId, imported.CaseId), (pair.CaseId, pair.OtherCaseId));
        var stored = await intake.QueryAsync(db => db.DuplicateCandidates.AsNoTracking()
            .Where(d => d.CaseId == Guid.Parse(registered.Case.CaseId) || d.CaseId == Guid.Parse(imported.CaseId)).ToListAsync());
        Assert.Equal((Guid.Parse(registered.Case.CaseId), Guid.Parse(imported.CaseId)), (Assert.Single(stored).CaseId, stored[0].OtherCaseId));

        // Replayed, each call answers what it answered first (FirstAnswerCandidates): the import's row the pair it found, the
        // registration none, although the pair is kept with the registration's case first.
        var replayedRegistration = await intake.Client.RegisterCaptureAsync(again);
        Assert.True(replayedRegistration.Replayed);
        Assert.Empty(replayedRegistration.DuplicateCandidates);
        var replayedRow = Assert.Single((await intake.Client.ImportCapturesAsync(List([person]))).Results);
        Assert.Equal(ImportRowOutcome.Replayed, replayedRow.Outcome);
        Assert.Equal(pair.DuplicateCandidateId, Assert.Single(replayedRow.DuplicateCandidates).DuplicateCandidateId);
    }

    /// <summary>
    /// The same row sent at once through ImportCaptures and RegisterCapture (one request_id, one registration): the import
    /// holds its row (the request_id under the unique index) while it waits for the duplicate locks, and the registration,
    /// holding those locks, waits at its insert for the import's transaction. PostgreSQL breaks the cycle (40P01) by
    /// rolling back the registration (the first to wait); it runs again (<see cref="LostRace"/>) and is answered with the
    /// import's case, replayed, as any call that lost its request_id to another. Held here: the import at its second
    /// table's insert, after its case row, so that the registration reaches its insert first. Without the retry the
    /// registration failed with the deadlock.
    /// </summary>
    [Fact]
    public async Task The_same_row_imported_and_registered_at_once_ends_as_one_case_both_calls_answered()
    {
        var person = ImportCapturesTests.Person();
        Task<ImportCapturesResponse> importing;
        Task<RegisterCaptureResponse> registering;
        await using (var hold = await HoldCaseWritesAsync("identity_assertions"))
        {
            importing = intake.Client.ImportCapturesAsync(List([person])).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            registering = intake.Client.RegisterCaptureAsync(person).ResponseAsync;
            await UntilWaitingAsync(hold, 2);
        }

        var (imported, registered) = (Assert.Single((await importing).Results), await registering);
        Assert.Equal(imported.CaseId, registered.Case.CaseId);
        Assert.True(registered.Replayed || imported.Outcome == ImportRowOutcome.Replayed, "neither call was answered as a replay of the other");
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == Guid.Parse(person.RequestId))));
    }

    /// <summary>
    /// An import part looks for duplicates with its own rows already in the table (<see cref="DuplicateFinder.FindForBatchAsync"/>,
    /// stored): it leaves out its own cases by their numbers, not by the range from its first to its last, because another
    /// writer's case, committed while the part waited for the locks, may be numbered among them. Here the part's two cases
    /// are numbered just before and just after a committed registration of the same person as its second.
    /// </summary>
    [Fact]
    public async Task A_batch_stored_before_its_look_up_finds_a_case_numbered_between_its_own()
    {
        var person = ImportCapturesTests.Person();
        var registered = await intake.Client.RegisterCaptureAsync(person);
        var number = long.Parse(registered.Case.CaseNumber.Split('-')[^1]);
        var now = DateTimeOffset.UtcNow;
        Registry.Intake.Domain.CaptureCase New(RegisterCaptureRequest request, long at)
        {
            var registration = RegisterCaptureValidator.Read(request, now, new FieldViolations())!;
            var entity = Registry.Intake.Domain.CaptureCase.Register(registration.Key.RequestId, new byte[32], registration.Capture, now);
            entity.Assert(registration.Identity, registration.IdentitySource, now);
            entity.Allot(at);
            return entity;
        }

        var part = new[] { New(ImportCapturesTests.Person(), number - 1), New(Again(person), number + 1) };
        var found = await intake.QueryAsync(db => new DuplicateFinder(db).FindForBatchAsync(part, stored: true, now, DuplicateMetrics.Import, CancellationToken.None));
        Assert.Empty(found[0]);
        Assert.Contains(found[1], d => d.OtherCaseId == Guid.Parse(registered.Case.CaseId));
    }

    /// <summary>
    /// A long list locks the keys of one part at a time (<see cref="DuplicateLocks.Parts"/>), never more than a transaction's
    /// share: a registration of someone else, whose keys no row of the list has, is committed while the list's first part is
    /// held before its commit (the duplicate pair within that part waits on the held candidates table, which the
    /// registration, pairing with no one, does not write). When a list of more than about 50 rows locked whole buckets (nearly
    /// all of them for 300 rows), the registration waited for the list's commit.
    /// </summary>
    [Fact]
    public async Task A_registration_of_someone_else_beside_a_long_import_is_not_held_back_by_it()
    {
        var list = Enumerable.Range(0, 300).Select(_ => ImportCapturesTests.Person()).ToList();
        list[1] = Again(list[0]);
        var listKeys = list.SelectMany(LockKeysOf).ToHashSet();
        var someoneElse = Enumerable.Range(0, 1000).Select(_ => ImportCapturesTests.Person()).First(p => !LockKeysOf(p).Any(listKeys.Contains));
        Task<ImportCapturesResponse> importing;
        await using (var hold = await HoldCaseWritesAsync("duplicate_candidates"))
        {
            importing = intake.Client.ImportCapturesAsync(List(list)).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            var registered = await intake.Client.RegisterCaptureAsync(someoneElse).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Empty(registered.DuplicateCandidates);
            Assert.False(importing.IsCompleted, "the list was not held at its first part's commit: the test proves nothing");
        }

        var imported = await importing;
        Assert.All(imported.Results, r => Assert.Equal(ImportRowOutcome.Created, r.Outcome));
        Assert.Contains(imported.Results[1].DuplicateCandidates, c => c.OtherCaseId == imported.Results[0].CaseId);
    }

    /// <summary>
    /// A list's parts commit one after the other: when a later part does not (here its caller leaves while it waits for a key
    /// another session holds), the earlier parts' cases stay stored, and the call's access-audit row names them although
    /// the call has no response, and they count created in <c>registry.registrations</c>; nothing of the later part is stored.
    /// </summary>
    [Fact]
    public async Task A_long_import_that_ends_after_its_first_part_names_that_parts_cases_in_its_audit_row()
    {
        var list = Enumerable.Range(0, 300).Select(_ => ImportCapturesTests.Person()).ToList();
        var parts = DuplicateLocks.Parts(list, LockKeysOf, r => r.RequestId);
        Assert.True(parts.Count >= 2, $"{parts.Count} part(s): the list does not test parts");
        var firstKeys = parts[0].SelectMany(LockKeysOf).ToHashSet();
        var held = LockKeysOf(parts[1][0]).First(k => !firstKeys.Contains(k));
        var connectionString = await intake.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!));
        await using var holder = new Npgsql.NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({DuplicateLocks.KeyClass}, {held})", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        // registry.registrations by outcome while this test runs (other tests' rows too: hence bounds, not equalities).
        var counted = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var meter = new System.Diagnostics.Metrics.MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            // By name: the instrument may be published while RegistrationMetrics' static field is being initialised.
            if (instrument.Meter.Name == Registry.ServiceDefaults.Telemetry.RegistryTelemetry.Meter.Name && instrument.Name == "registry.registrations")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == Registry.Intake.Features.Registration.RegistrationMetrics.OutcomeTag && tag.Value is string outcome)
                {
                    counted.AddOrUpdate(outcome, value, (_, sum) => sum + value);
                }
            }
        });
        meter.Start();

        using var leave = new CancellationTokenSource();
        var importing = intake.Client.ImportCapturesAsync(List(list), cancellationToken: leave.Token).ResponseAsync;
        var firstIds = parts[0].Select(r => Guid.Parse(r.RequestId)).ToList();
        var stored = (List<Guid>)await Eventually.GetAsync(async () =>
        {
            var ids = await intake.QueryAsync(db => db.Cases.Where(c => firstIds.Contains(c.RequestId)).Select(c => c.CaseId).ToListAsync());
            return ids.Count == firstIds.Count ? ids : null;
        }, TimeSpan.FromSeconds(30), "the first part's cases");
        await Eventually.TrueAsync(async () =>
        {
            await using var waiting = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", holder);
            return (long)(await waiting.ExecuteScalarAsync())! >= 1;
        }, TimeSpan.FromSeconds(30), "the second part waiting for the held key");
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => importing);
        await using (var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({DuplicateLocks.KeyClass}, {held})", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        var named = (int)await Eventually.GetAsync(async () => await intake.QueryAsync(db => db.Database
            .SqlQueryRaw<int>("""SELECT coalesce(max(cardinality(case_ids)), 0)::int AS "Value" FROM access_events WHERE method LIKE '%/ImportCaptures' AND case_ids @> {0} AND outcome <> 'OK'""", stored.ToArray())
            .SingleAsync()) is > 0 and var n ? (object)n : null, TimeSpan.FromSeconds(20), "the failed call's audit row naming the first part's cases");
        Assert.Equal(stored.Count, named);
        // The rows the first part registered count created, the others failed (not all 300 failed).
        Assert.True(counted.GetValueOrDefault("created") >= stored.Count, $"{counted.GetValueOrDefault("created")} counted created; all: {string.Join(", ", counted.Select(c => $"{c.Key}={c.Value}"))}");
        Assert.InRange(counted.GetValueOrDefault("failed"), list.Count - stored.Count, list.Count - 1);
        var laterIds = parts.Skip(1).SelectMany(p => p).Select(r => Guid.Parse(r.RequestId)).ToList();
        Assert.Equal(0, await intake.QueryAsync(db => db.Cases.CountAsync(c => laterIds.Contains(c.RequestId))));
    }

    [Fact]
    public async Task A_correction_beside_a_registration_of_the_person_it_now_names_is_paired_with_it()
    {
        var someone = (await intake.Client.RegisterCaptureAsync(ImportCapturesTests.Person())).Case;
        var person = ImportCapturesTests.Person();
        Task<RegisterCaptureResponse> registering;
        Task<UpdateIdentityResponse> correcting;
        await using (var hold = await HoldCaseWritesAsync())
        {
            registering = intake.Client.RegisterCaptureAsync(person).ResponseAsync;
            await UntilWaitingAsync(hold, 1);
            correcting = intake.Client.UpdateIdentityAsync(new UpdateIdentityRequest
            {
                CaseId = someone.CaseId,
                Identity = new Identity { FamilyNameLatin = person.Identity.FamilyNameLatin, GivenNamesLatin = person.Identity.GivenNamesLatin, ServiceNumber = person.Identity.ServiceNumber },
                UpdateMask = new() { Paths = { "family_name_latin", "given_names_latin", "service_number" } },
                Source = new AssertionSource { Kind = SourceKind.StatedByPerson },
                Revision = someone.Revision,
            }).ResponseAsync;
            await UntilWaitingAsync(hold, 2);
        }

        var (registered, corrected) = (await registering, await correcting);
        Assert.True(Pairs(registered.DuplicateCandidates.Concat(corrected.DuplicateCandidates), someone.CaseId, registered.Case.CaseId),
            "the corrected case and the registration of the person it now names were not paired");
    }

    /// <summary>
    /// A registration that waits on the duplicate locks while a case of the same person commits under a later number keeps
    /// that pair later case first, the other case's id first (<see cref="DuplicateCandidate.LaterFirst"/>); a retry of the
    /// registration, or an import row repeating its request_id, answers it again (<see cref="FirstAnswerCandidates"/>), and
    /// does not answer the pair a later registration, or a later correction, found. The race itself is timing; the pair it leaves is written here
    /// as it leaves it: found when the earlier-numbered case was registered.
    /// </summary>
    [Fact]
    public async Task A_replay_answers_the_pair_its_registration_found_with_a_case_numbered_later_and_not_a_pair_found_after_it()
    {
        var person = ImportCapturesTests.Person();
        var first = await intake.Client.RegisterCaptureAsync(person);
        var second = await intake.Client.RegisterCaptureAsync(Again(person));
        var pair = Assert.Single(second.DuplicateCandidates);
        Assert.Equal((second.Case.CaseId, first.Case.CaseId), (pair.CaseId, pair.OtherCaseId));

        // Found by the second registration: not part of the first's answer.
        var replayed = await intake.Client.RegisterCaptureAsync(person);
        Assert.True(replayed.Replayed);
        Assert.Empty(replayed.DuplicateCandidates);

        // The same pair as the first registration stores it when it found the second, committed while it waited.
        await intake.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            """UPDATE duplicate_candidates SET "FoundAt" = (SELECT "RegisteredAt" FROM cases WHERE "CaseId" = {0}) WHERE "CaseId" = {1} AND "OtherCaseId" = {0}""",
            Guid.Parse(first.Case.CaseId), Guid.Parse(second.Case.CaseId)));
        replayed = await intake.Client.RegisterCaptureAsync(person);
        Assert.Equal(pair.DuplicateCandidateId, Assert.Single(replayed.DuplicateCandidates).DuplicateCandidateId);
        var imported = Assert.Single((await intake.Client.ImportCapturesAsync(List([person]))).Results);
        Assert.Equal((ImportRowOutcome.Replayed, pair.DuplicateCandidateId), (imported.Outcome, Assert.Single(imported.DuplicateCandidates).DuplicateCandidateId));

        // Found later by a correction of the second case's identity: not part of either registration's answer.
        await intake.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            """UPDATE duplicate_candidates SET "FoundAt" = "FoundAt" + interval '1 minute' WHERE "CaseId" = {1} AND "OtherCaseId" = {0}""",
            Guid.Parse(first.Case.CaseId), Guid.Parse(second.Case.CaseId)));
        Assert.Empty((await intake.Client.RegisterCaptureAsync(person)).DuplicateCandidates);
    }
}
