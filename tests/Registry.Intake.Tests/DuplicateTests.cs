using Grpc.Core;
using Google.Rpc;
using Registry.Contracts;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

public sealed class DuplicateTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    /// <summary>A person no other test registers: random Latin names, so candidates come only from this test.</summary>
    private static RegisterCaptureRequest Person(string family, string given, int birthYear, string agency, string serviceNumber = "")
    {
        var request = Requests.Rifleman();
        request.Identity = new Identity
        {
            FamilyNameLatin = family,
            GivenNamesLatin = given,
            DateOfBirth = new PartialDate { Year = birthYear },
            Nationality = "KP",
            ServiceNumber = serviceNumber,
        };
        request.Capture.CapturingAgency = agency;
        return request;
    }

    private static string Word() => string.Concat(Enumerable.Range(0, 7).Select(_ => (char)('a' + Random.Shared.Next(26))));

    [Fact]
    public async Task The_same_service_number_written_differently_is_flagged_as_certain()
    {
        var number = $"KPA-{Random.Shared.Next(1_000_000, 9_999_999)}";
        var first = (await intake.Client.RegisterCaptureAsync(Person(Word(), Word(), 1999, "UA-SSO", number))).Case;

        var second = await intake.Client.RegisterCaptureAsync(Person(Word(), Word(), 1990, "UA-SBU", number.Replace("-", " ").ToLowerInvariant()));

        var candidate = Assert.Single(second.DuplicateCandidates);
        Assert.Equal((first.CaseId, 1.0, DuplicateStatus.Open), (candidate.OtherCaseId, candidate.Score, candidate.Status));
        Assert.Contains("same service number", candidate.Reasons);
    }

    [Fact]
    public async Task Similar_names_count_only_with_the_same_birth_year_and_nationality()
    {
        var (family, given) = (Word(), Word());
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2005, "UA-SSO"))).Case;

        // One letter different in the transliteration, a diacritic, different case: still similar.
        // (The last letter is replaced by an accented one of another letter, so the names always differ.)
        var replacement = given[^1] == 'e' ? "ö" : "é";
        var similar = await intake.Client.RegisterCaptureAsync(Person(family.ToUpperInvariant(), given[..^1] + replacement, 2005, "UA-SBU"));
        var otherYear = await intake.Client.RegisterCaptureAsync(Person(family, given, 2004, "UA-SBU"));
        var otherName = await intake.Client.RegisterCaptureAsync(Person(Word(), Word(), 2005, "UA-SBU"));

        var candidate = Assert.Single(similar.DuplicateCandidates);
        Assert.Equal(first.CaseId, candidate.OtherCaseId);
        Assert.InRange(candidate.Score, 0.7, 0.99);
        Assert.Contains("same birth year", candidate.Reasons);
        Assert.Empty(otherYear.DuplicateCandidates);
        Assert.Empty(otherName.DuplicateCandidates);
    }

    [Fact]
    public async Task Merging_points_the_merged_case_to_the_survivor_deletes_nothing_and_is_announced()
    {
        var (family, given) = (Word(), Word());
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 1999, "UA-SSO"))).Case;
        var second = await intake.Client.RegisterCaptureAsync(Person(family, given, 1999, "UA-SBU"));
        var open = await intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { CaseId = first.CaseId, PageSize = 10 });
        Assert.Equal(second.DuplicateCandidates, open.DuplicateCandidates);

        var result = await intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = first.CaseId, SurvivorRevision = first.Revision,
            MergedCaseId = second.Case.CaseId, MergedRevision = second.Case.Revision,
            Reason = "same man: fingerprints match",
        });

        Assert.Equal(first.CaseId, result.Merged.MergedIntoCaseId);
        Assert.Equal(result.Merged, (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = second.Case.CaseId })).Case);
        Assert.Empty((await intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { CaseId = first.CaseId, PageSize = 10 })).DuplicateCandidates);
        // The merged case's capture card is withdrawn: the survivor's card stands for the person.
        var overdue = (await intake.Client.ListOverdueAsync(new ListOverdueRequest
        {
            AsOf = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(8)), PageSize = 500,
        })).Items.Where(i => i.Kind == OverdueKind.CaptureCard).Select(i => i.CaseId).ToList();
        Assert.Contains(first.CaseId, overdue);
        Assert.DoesNotContain(second.Case.CaseId, overdue);
        var announced = await intake.Events.WaitForAsync<CasesMerged>(e => e.MergedCaseId.ToString() == second.Case.CaseId, "CasesMerged");
        Assert.Equal((first.CaseId, first.CaseNumber), (announced.SurvivorCaseId.ToString(), announced.SurvivorCaseNumber));

        var change = await Assert.ThrowsAsync<RpcException>(() => intake.Client.UpdateIdentityAsync(new UpdateIdentityRequest
        {
            CaseId = second.Case.CaseId, Identity = new Identity { Rank = "Private" }, UpdateMask = new() { Paths = { "rank" } },
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson }, Revision = result.Merged.Revision,
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, change.StatusCode);
        var again = await Assert.ThrowsAsync<RpcException>(() => intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = first.CaseId, SurvivorRevision = result.Survivor.Revision,
            MergedCaseId = second.Case.CaseId, MergedRevision = result.Merged.Revision, Reason = "again",
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task A_merge_with_a_stale_revision_is_aborted()
    {
        var (family, given) = (Word(), Word());
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 1999, "UA-SSO"))).Case;
        var second = (await intake.Client.RegisterCaptureAsync(Person(family, given, 1999, "UA-SBU"))).Case;

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = first.CaseId, SurvivorRevision = first.Revision + 1,
            MergedCaseId = second.CaseId, MergedRevision = second.Revision, Reason = "same man",
        }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("", (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = second.CaseId })).Case.MergedIntoCaseId);
    }

    [Fact]
    public async Task Marking_two_cases_as_different_persons_closes_their_candidate()
    {
        var (family, given) = (Word(), Word());
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2001, "UA-SSO"))).Case;
        var second = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2001, "UA-SBU"))).Case;

        var marked = (await intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest
        {
            CaseId = first.CaseId, OtherCaseId = second.CaseId, Reason = "brothers: different fathers' statements and photographs",
        })).DuplicateCandidate;

        Assert.Equal(DuplicateStatus.NotDuplicate, marked.Status);
        Assert.Equal((second.CaseId, first.CaseId), (marked.CaseId, marked.OtherCaseId));
        Assert.Empty((await intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { CaseId = second.CaseId, PageSize = 10 })).DuplicateCandidates);
    }

    [Fact]
    public async Task A_correction_that_makes_a_case_resemble_another_raises_a_candidate_but_not_against_a_decision()
    {
        var (family, given) = (Word(), Word());
        var earlier = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2002, "UA-SSO"))).Case;
        var later = await intake.Client.RegisterCaptureAsync(Person(Word(), Word(), 2002, "UA-SBU"));
        Assert.Empty(later.DuplicateCandidates);

        UpdateIdentityRequest Correct(long revision) => new()
        {
            CaseId = later.Case.CaseId,
            Identity = new Identity { FamilyNameLatin = family, GivenNamesLatin = given },
            UpdateMask = new() { Paths = { "family_name_latin", "given_names_latin" } },
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson },
            Revision = revision,
        };
        var corrected = await intake.Client.UpdateIdentityAsync(Correct(later.Case.Revision));

        var candidate = Assert.Single(corrected.DuplicateCandidates);
        Assert.Equal((later.Case.CaseId, earlier.CaseId), (candidate.CaseId, candidate.OtherCaseId));
        await intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = earlier.CaseId, OtherCaseId = later.Case.CaseId, Reason = "twins" });
        var again = await intake.Client.UpdateIdentityAsync(Correct(corrected.Case.Revision));
        Assert.Empty(again.DuplicateCandidates);
    }

    [Theory]
    [InlineData("merge: empty", "survivor_case_id")]
    [InlineData("merge: into itself", "merged_case_id")]
    [InlineData("merge: no reason", "reason")]
    [InlineData("merge: no revisions", "merged_revision")]
    [InlineData("not duplicate: no reason", "reason")]
    [InlineData("not duplicate: itself", "other_case_id")]
    [InlineData("list: page size 0", "page_size")]
    [InlineData("list: page size a million", "page_size")]
    [InlineData("list: case id not a uuid", "case_id")]
    public async Task A_bad_duplicate_request_is_refused_naming_the_field_and_changes_nothing(string call, string field)
    {
        var (family, given) = (Word(), Word());
        var a = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2001, "UA-SSO"))).Case;
        var b = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2001, "UA-SBU"))).Case;
        var before = await intake.CountStoredAsync();
        Func<Task> act = call switch
        {
            "merge: empty" => () => intake.Client.MergeCasesAsync(new MergeCasesRequest()).ResponseAsync,
            "merge: into itself" => () => intake.Client.MergeCasesAsync(new MergeCasesRequest { SurvivorCaseId = a.CaseId, SurvivorRevision = 1, MergedCaseId = a.CaseId, MergedRevision = 1, Reason = "x" }).ResponseAsync,
            "merge: no reason" => () => intake.Client.MergeCasesAsync(new MergeCasesRequest { SurvivorCaseId = a.CaseId, SurvivorRevision = 1, MergedCaseId = b.CaseId, MergedRevision = 1 }).ResponseAsync,
            "merge: no revisions" => () => intake.Client.MergeCasesAsync(new MergeCasesRequest { SurvivorCaseId = a.CaseId, MergedCaseId = b.CaseId, Reason = "x" }).ResponseAsync,
            "not duplicate: no reason" => () => intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = a.CaseId, OtherCaseId = b.CaseId }).ResponseAsync,
            "not duplicate: itself" => () => intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = a.CaseId, OtherCaseId = a.CaseId, Reason = "x" }).ResponseAsync,
            "list: page size 0" => () => intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest()).ResponseAsync,
            "list: page size a million" => () => intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { PageSize = 1_000_000 }).ResponseAsync,
            "list: case id not a uuid" => () => intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { CaseId = "x", PageSize = 5 }).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        var error = await Assert.ThrowsAsync<RpcException>(act);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.CountStoredAsync());
        Assert.Single((await intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { CaseId = b.CaseId, PageSize = 10 })).DuplicateCandidates);
    }
}
