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
/// inserts wait), so the first writer waits with its look-up done and its cases not committed while the second comes;
/// without the locks the second's look-up would run then, and miss the first's cases.
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
}
