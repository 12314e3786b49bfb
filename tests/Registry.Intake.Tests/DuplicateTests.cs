using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Google.Rpc;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Registry.Intake.Data;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Contracts;
using Registry.Intake.Features.Registration;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Telemetry;

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

    private static string Hangul(int syllables) => string.Concat(Enumerable.Range(0, syllables).Select(_ => (char)(0xAC00 + Random.Shared.Next(11172))));

    /// <summary>A person with names in both scripts (random, so no other test's cases resemble him), captured as <see cref="Requests"/> captures.</summary>
    private static RegisterCaptureRequest BothScripts(string family, string given, string familyLatin, string givenLatin, PartialDate? birth, string nationality, string agency)
    {
        var request = Person(familyLatin, givenLatin, 2000, agency);
        request.Identity.FamilyName = family;
        request.Identity.GivenNames = given;
        request.Identity.DateOfBirth = birth;
        request.Identity.Nationality = nationality;
        return request;
    }

    /// <summary>A capture months earlier and elsewhere: what two different persons' registrations look like.</summary>
    private static RegisterCaptureRequest ElsewhereLater(RegisterCaptureRequest request)
    {
        request.Capture.CapturedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddMonths(-7));
        request.Capture.Place = "Pokrovsk";
        return request;
    }

    [Theory]
    [InlineData("born 1999-12-31 and 2000-01-01")]
    [InlineData("birth year unknown to the second agency")]
    [InlineData("nationality unknown to the second agency")]
    public async Task The_same_names_in_both_scripts_are_a_candidate_across_a_year_end_or_with_an_unknown_field(string variant)
    {
        var (family, given, familyLatin, givenLatin) = (Hangul(1), Hangul(2), Word(), Word());
        var first = (await intake.Client.RegisterCaptureAsync(
            BothScripts(family, given, familyLatin, givenLatin, new PartialDate { Year = 1999, Month = 12, Day = 31 }, "KP", "UA-SSO"))).Case;
        var second = BothScripts(family, given, familyLatin.ToUpperInvariant(), givenLatin, new PartialDate { Year = 1999, Month = 12, Day = 31 }, "KP", "UA-SBU");
        var (field, level) = variant switch
        {
            "born 1999-12-31 and 2000-01-01" => ("date_of_birth", ComparisonLevel.Close),
            "birth year unknown to the second agency" => ("date_of_birth", ComparisonLevel.Unknown),
            _ => ("nationality", ComparisonLevel.Unknown),
        };
        if (variant.StartsWith("born", StringComparison.Ordinal))
        {
            second.Identity.DateOfBirth = new PartialDate { Year = 2000, Month = 1, Day = 1 };
        }
        else if (variant.StartsWith("birth", StringComparison.Ordinal))
        {
            second.Identity.DateOfBirth = null;
        }
        else
        {
            second.Identity.Nationality = "";
        }

        var registered = await intake.Client.RegisterCaptureAsync(second);

        var candidate = Assert.Single(registered.DuplicateCandidates);
        Assert.Equal(first.CaseId, candidate.OtherCaseId);
        Assert.Equal(level, candidate.Comparisons.Single(c => c.Field == field).Level);
        Assert.All(candidate.Comparisons.Where(c => c.Field is "family_name" or "given_names"), c => Assert.Equal(ComparisonLevel.Agree, c.Level));
        Assert.True(candidate.MatchWeight >= 18, string.Join("; ", candidate.Reasons));
    }

    /// <summary>A person with names in one script only (Cyrillic or Latin), born on the given day.</summary>
    private static RegisterCaptureRequest OneScript(string family, string given, bool latin, DateOnly birth, string nationality, string agency)
    {
        var request = Person(latin ? family : "", latin ? given : "", birth.Year, agency);
        if (!latin)
        {
            (request.Identity.FamilyName, request.Identity.GivenNames) = (family, given);
        }

        request.Identity.DateOfBirth = new PartialDate { Year = birth.Year, Month = birth.Month, Day = birth.Day };
        request.Identity.Nationality = nationality;
        return request;
    }

    /// <summary>A birth day no other test's person of these names has (the names below are fixed).</summary>
    private static DateOnly RandomBirthDay() => new DateOnly(1960, 1, 1).AddDays(Random.Shared.Next(365 * 45));

    // Ukraine's national system (KMU 2010, the passport's) writes г "h", є "ye"/"ie", и "y", ї "yi"/"i"; AnyAscii and
    // ISO 9 write г "g". Russian names of Ukrainian citizens are written the Ukrainian way.
    [Theory]
    [InlineData("Гончаренко", "Олег", "Honcharenko", "Oleh", true)]
    [InlineData("Гончаренко", "Олег", "Honcharenko", "Oleh", false)]
    [InlineData("Гнатюк", "Євген", "Hnatiuk", "Yevhen", true)]
    [InlineData("Гнатюк", "Євген", "Hnatiuk", "Yevhen", false)]
    [InlineData("Григоренко", "Ігор", "Hryhorenko", "Ihor", true)]
    [InlineData("Григоренко", "Ігор", "Hryhorenko", "Ihor", false)]
    [InlineData("Григорьев", "Игорь", "Hryhoriev", "Ihor", true)]
    [InlineData("Григорьев", "Игорь", "Hryhoriev", "Ihor", false)]
    public async Task A_Ukrainian_name_in_Cyrillic_and_in_the_passport_spelling_with_h_for_g_is_a_candidate_either_way_round(
        string family, string given, string familyLatin, string givenLatin, bool cyrillicFirst)
    {
        var birth = RandomBirthDay();
        var cyrillic = OneScript(family, given, latin: false, birth, "UA", "UA-SSO");
        var latin = OneScript(familyLatin, givenLatin, latin: true, birth, "UA", "UA-SBU");
        var (earlier, later) = cyrillicFirst ? (cyrillic, latin) : (latin, cyrillic);

        var first = (await intake.Client.RegisterCaptureAsync(earlier)).Case;
        var registered = await intake.Client.RegisterCaptureAsync(later);

        var candidate = Assert.Single(registered.DuplicateCandidates, d => d.OtherCaseId == first.CaseId);
        Assert.All(candidate.Comparisons.Where(c => c.Field is "family_name" or "given_names"), c => Assert.Equal(ComparisonLevel.Agree, c.Level));
        Assert.Equal(ComparisonLevel.Agree, candidate.Comparisons.Single(c => c.Field == "date_of_birth").Level);
    }

    [Fact]
    public async Task Korean_names_that_differ_in_g_and_h_stay_apart()
    {
        // Korean ㄱ (g/k) and ㅎ (h) are different letters: "Kang" is not "Hang", "Gil" is not "Hil", in Latin or Hangul,
        // though the Ukrainian г is written either way. Same given name, birth day and nationality otherwise.
        var birth = RandomBirthDay();
        var given = Word();
        var kang = (await intake.Client.RegisterCaptureAsync(OneScript("Kang", given, latin: true, birth, "KP", "UA-SSO"))).Case;
        var hang = await intake.Client.RegisterCaptureAsync(OneScript("Hang", given, latin: true, birth, "KP", "UA-SBU"));
        var gang = (await intake.Client.RegisterCaptureAsync(OneScript("강", "길동", latin: false, birth, "KP", "UA-SSO"))).Case;
        var han = await intake.Client.RegisterCaptureAsync(OneScript("항", "길동", latin: false, birth, "KP", "UA-SBU"));

        Assert.DoesNotContain(kang.CaseId, hang.DuplicateCandidates.Select(d => d.OtherCaseId));
        Assert.DoesNotContain(gang.CaseId, han.DuplicateCandidates.Select(d => d.OtherCaseId));
    }

    [Fact]
    public async Task Placeholder_service_numbers_never_make_different_persons_a_candidate()
    {
        var first = ElsewhereLater(Person(Word(), Word(), 1980, "UA-SSO", "N/A"));
        first.Identity.Nationality = "RU";
        var second = Person(Word(), Word(), 2003, "UA-SBU", "n/a");
        var before = await intake.CountStoredAsync();

        // A placeholder is either refused at input, naming the field, or stored and never compared.
        var outcome = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await intake.Client.RegisterCaptureAsync(first);
            var registered = await intake.Client.RegisterCaptureAsync(second);
            Assert.Empty(registered.DuplicateCandidates);
            throw new OperationCanceledException("both stored, no candidate");
        });

        if (outcome is RpcException error)
        {
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("identity.service_number", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
            Assert.Equal(before, await intake.CountStoredAsync());
        }
        else
        {
            Assert.IsType<OperationCanceledException>(outcome);
        }
    }

    [Fact]
    public async Task The_same_service_number_written_differently_agrees_and_names_the_same_man_with_it()
    {
        var (family, given) = (Word(), Word());
        var number = $"KPA-{Random.Shared.Next(1_000_000, 9_999_999)}";
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 1999, "UA-SSO", number))).Case;
        var second = ElsewhereLater(Person(family, given, 1999, "UA-SBU", number.Replace("-", " ").ToLowerInvariant()));
        second.Identity.DateOfBirth = null;

        var registered = await intake.Client.RegisterCaptureAsync(second);

        var candidate = Assert.Single(registered.DuplicateCandidates);
        Assert.Equal((first.CaseId, DuplicateStatus.Open), (candidate.OtherCaseId, candidate.Status));
        var serviceNumber = candidate.Comparisons.Single(c => c.Field == "service_number");
        Assert.Equal(ComparisonLevel.Agree, serviceNumber.Level);
        Assert.True(serviceNumber.Weight > 15);
        Assert.Contains(candidate.Reasons, r => r.StartsWith("service_number agree", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_shared_service_number_does_not_outweigh_other_names_another_birth_year_and_another_nationality()
    {
        var number = $"KPA-{Random.Shared.Next(1_000_000, 9_999_999)}";
        await intake.Client.RegisterCaptureAsync(Person(Word(), Word(), 1999, "UA-SSO", number));
        var other = Person(Word(), Word(), 1985, "UA-SBU", number);
        other.Identity.Nationality = "RU";

        var registered = await intake.Client.RegisterCaptureAsync(other);

        Assert.Empty(registered.DuplicateCandidates);
    }

    [Fact]
    public async Task Similar_names_are_close_and_a_birth_year_two_off_or_other_names_make_no_candidate()
    {
        // The family name is random (no other test's case resembles him); the given name is fixed: a random one's last
        // letter replaced went to Agree through a spelling variant ("…io" / "…ié") or to Disagree through folding in
        // about 2 % of draws (measured over 200,000), which made this test flaky.
        var (family, given) = (Word(), "bohdana");
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 2005, "UA-SSO"))).Case;

        // One letter different in the given name, a diacritic, different case: still the same man.
        var similar = await intake.Client.RegisterCaptureAsync(Person(family.ToUpperInvariant(), "Bohdané", 2005, "UA-SBU"));
        var yearsApart = await intake.Client.RegisterCaptureAsync(Person(family, given, 2003, "UA-SBU"));
        var otherName = await intake.Client.RegisterCaptureAsync(Person(Word(), Word(), 2005, "UA-SBU"));

        var candidate = Assert.Single(similar.DuplicateCandidates);
        Assert.Equal(first.CaseId, candidate.OtherCaseId);
        Assert.InRange(candidate.Score, 0.9, 1.0);
        Assert.Equal(ComparisonLevel.Close, candidate.Comparisons.Single(c => c.Field == "given_names").Level);
        Assert.Equal(ComparisonLevel.Agree, candidate.Comparisons.Single(c => c.Field == "date_of_birth").Level);
        Assert.DoesNotContain(first.CaseId, yearsApart.DuplicateCandidates.Select(d => d.OtherCaseId));
        Assert.Empty(otherName.DuplicateCandidates);
    }

    [Fact]
    public async Task A_contradicting_nationality_weighs_against_and_an_unknown_one_is_neutral()
    {
        var (family, given, familyLatin, givenLatin) = (Hangul(1), Hangul(2), Word(), Word());
        var birth = new PartialDate { Year = 2002, Month = 6, Day = 9 };
        var first = (await intake.Client.RegisterCaptureAsync(BothScripts(family, given, familyLatin, givenLatin, birth, "KP", "UA-SSO"))).Case;

        // Registered by three agencies of the same capture: the same man by every other field.
        var same = Assert.Single((await intake.Client.RegisterCaptureAsync(BothScripts(family, given, familyLatin, givenLatin, birth, "KP", "UA-SBU"))).DuplicateCandidates,
            d => d.OtherCaseId == first.CaseId);
        var unknown = Assert.Single((await intake.Client.RegisterCaptureAsync(BothScripts(family, given, familyLatin, givenLatin, birth, "", "UA-HUR"))).DuplicateCandidates,
            d => d.OtherCaseId == first.CaseId);
        var contradicting = Assert.Single((await intake.Client.RegisterCaptureAsync(BothScripts(family, given, familyLatin, givenLatin, birth, "CN", "UA-NGU"))).DuplicateCandidates,
            d => d.OtherCaseId == first.CaseId);

        FieldComparison Nationality(DuplicateCandidate d) => d.Comparisons.Single(c => c.Field == "nationality");
        Assert.Equal((ComparisonLevel.Agree, "agree"), (Nationality(same).Level, Nationality(same).Outcome));
        Assert.Equal((ComparisonLevel.Unknown, 0.0), (Nationality(unknown).Level, Nationality(unknown).Weight));
        Assert.Equal((ComparisonLevel.Disagree, "contradicts"), (Nationality(contradicting).Level, Nationality(contradicting).Outcome));
        Assert.True(Nationality(contradicting).Weight < -5);
        Assert.True(contradicting.MatchWeight < unknown.MatchWeight - 5 && unknown.MatchWeight < same.MatchWeight);
    }

    [Fact]
    public async Task A_namesake_of_the_same_birth_year_captured_elsewhere_at_another_time_is_no_candidate()
    {
        var (family, given, familyLatin, givenLatin) = (Hangul(1), Hangul(2), Word(), Word());
        await intake.Client.RegisterCaptureAsync(BothScripts(family, given, familyLatin, givenLatin, new PartialDate { Year = 2001 }, "KP", "UA-SSO"));

        var namesake = await intake.Client.RegisterCaptureAsync(
            ElsewhereLater(BothScripts(family, given, familyLatin, givenLatin, new PartialDate { Year = 2001, Month = 3, Day = 2 }, "KP", "UA-SBU")));

        Assert.Empty(namesake.DuplicateCandidates);
    }

    [Fact]
    public async Task Candidates_show_why_each_field_and_the_match_weight_and_are_listed_so()
    {
        var (family, given) = (Word(), Word());
        var first = (await intake.Client.RegisterCaptureAsync(Person(family, given, 1996, "UA-SSO"))).Case;
        var second = await intake.Client.RegisterCaptureAsync(Person(family, given, 1996, "UA-SBU"));

        var listed = Assert.Single((await intake.Client.ListDuplicateCandidatesAsync(new ListDuplicateCandidatesRequest { CaseId = first.CaseId, PageSize = 10 })).DuplicateCandidates);

        Assert.Equal(Assert.Single(second.DuplicateCandidates), listed);
        Assert.Equal(["family_name", "given_names", "date_of_birth", "nationality", "service_number", "capture_place", "capture_date"],
            listed.Comparisons.Select(c => c.Field));
        Assert.Equal(Math.Round(listed.Comparisons.Sum(c => c.Weight), 2), listed.MatchWeight, 6);
        Assert.Equal((ComparisonLevel.Unknown, 0.0), listed.Comparisons.Where(c => c.Field == "service_number").Select(c => (c.Level, c.Weight)).Single());
        Assert.StartsWith("match weight ", listed.Reasons[0]);
        Assert.Contains(listed.Reasons, r => r.StartsWith("family_name agree (+", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replayed_registration_lists_its_candidates_in_the_first_answers_order_when_they_tie()
    {
        // Four registrations of one man whose three earlier ones tie (the same record): the answer lists them newer first, the
        // finder's order after the match weight, and a replay of the request_id (and ImportCaptures' report, its best
        // candidate the first) gives the same list in the same order.
        var (family, given) = (Word(), Word());
        var earlier = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            earlier.Add((await intake.Client.RegisterCaptureAsync(Person(family, given, 1996, "UA-SSO"))).Case.CaseId);
        }

        var request = Person(family, given, 1996, "UA-SSO");
        var first = await intake.Client.RegisterCaptureAsync(request);
        var replayed = await intake.Client.RegisterCaptureAsync(request);

        Assert.Equal(3, first.DuplicateCandidates.Count);
        Assert.Single(first.DuplicateCandidates.Select(c => c.MatchWeight).Distinct());
        Assert.Equal(Enumerable.Reverse(earlier), first.DuplicateCandidates.Select(c => c.OtherCaseId));
        Assert.Equal(first.Case.CaseId, replayed.Case.CaseId);
        Assert.Equal(first.DuplicateCandidates.Select(c => c.DuplicateCandidateId), replayed.DuplicateCandidates.Select(c => c.DuplicateCandidateId));
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

    [Fact]
    public async Task Each_registration_reports_how_long_its_duplicate_detection_took()
    {
        var scopes = new ConcurrentBag<(string? Scope, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RegistryTelemetry.Meter.Name && instrument.Name == "registry.intake.duplicates.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? scope = null;
            foreach (var tag in tags)
            {
                scope = tag.Key == "registry.duplicates.scope" ? tag.Value as string : scope;
            }

            scopes.Add((scope, value));
        });
        listener.Start();
        var (family, given) = (Word(), Word());

        await intake.Client.RegisterCaptureAsync(Person(family, given, 2001, "UA-SSO"));

        var measured = scopes.Where(s => s.Scope == "registration").ToList();
        Assert.NotEmpty(measured);
        Assert.All(measured, m => Assert.InRange(m.Seconds, 0, 60));
    }

    /// <summary>
    /// Duplicate detection reads the newest cases through covering indexes, index-only only on pages VACUUM marked
    /// all-visible: autovacuum visits the insert-only cases table every <see cref="CaptureCaseConfiguration.AutovacuumInsertThreshold"/>
    /// new cases instead of the server's default of a fifth of the table (docs/performance.md, "Index-only scans need the visibility map").
    /// </summary>
    [Fact]
    public async Task Autovacuum_visits_the_cases_table_every_few_thousand_new_cases()
    {
        var options = await intake.QueryAsync(db => db.Database.SqlQueryRaw<string>(
            """SELECT unnest(c.reloptions) AS "Value" FROM pg_class c WHERE c.relname = 'cases' ORDER BY 1""")
            .ToListAsync());

        Assert.Equal(
            ["autovacuum_vacuum_insert_scale_factor=0", $"autovacuum_vacuum_insert_threshold={CaptureCaseConfiguration.AutovacuumInsertThreshold}"],
            options);
    }

    /// <summary>
    /// A registration's blocking statement is compiled by EF Core once (DuplicateQuery.BlockedAsync), whatever keys the case has:
    /// cases with and without a service number, birth year or blocks run it without EF Core compiling a query again. A statement
    /// whose shape followed the keys was compiled for each new shape (docs/performance.md, "Duplicate detection's statement compiled once").
    /// </summary>
    [Fact]
    public async Task Duplicate_detection_runs_one_compiled_blocking_statement_whatever_keys_a_case_has()
    {
        string connection;
        await using (var scope = intake.Service.Services.CreateAsyncScope())
        {
            connection = scope.ServiceProvider.GetRequiredService<IntakeDbContext>().Database.GetConnectionString()!;
        }

        var compilations = new ConcurrentQueue<string>();
        // A service provider of its own, so a query cache and model of its own: no shape another test compiled goes unseen.
        var options = new DbContextOptionsBuilder<IntakeDbContext>().UseNpgsql(connection).EnableServiceProviderCaching(false)
            .LogTo(compilations.Enqueue, [CoreEventId.QueryCompilationStarting]).Options;
        await using var db = new IntakeDbContext(options);
        var query = new Registry.Intake.Domain.Linkage.BlockingQuery("AB123", ["smithjohn"], ["smith/j"], ["john/s"], 1980);
        Registry.Intake.Domain.Linkage.BlockingQuery[] shapes =
        [
            query, query with { BirthYear = null }, query with { ServiceNumber = null }, query with { GivenBlocks = [], FamilyBlocks = [] },
            query with { FullKeys = ["smithjohn", "smythjohn", "johnsmith"], ServiceNumber = null, BirthYear = 1979 },
        ];

        // The first run compiles it (once per model); the next shapes may not.
        await db.BlockedAsync(shapes[0], 1, CancellationToken.None);
        compilations.Clear();
        foreach (var shape in shapes.Skip(1))
        {
            await db.BlockedAsync(shape, 1, CancellationToken.None);
        }

        Assert.Empty(compilations);
        // The log does see a query compiled: one of a shape no other code runs.
        await db.Cases.Where(c => c.Number < 0 && c.Revision == shapes.Length).Select(c => c.Number + 1).ToListAsync();
        Assert.Single(compilations);
    }

    [Fact]
    public async Task A_cases_writes_are_planned_once_per_session_and_duplicate_detection_asks_for_no_null_key()
    {
        await using var scope = intake.Service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<CaseStore>();
        Task<string> PlanCacheMode(IntakeDbContext context, CancellationToken ct) =>
            context.Database.SqlQueryRaw<string>("""SELECT current_setting('plan_cache_mode') AS "Value" """).SingleAsync(ct);

        // One session throughout (the connection held open), so that what the write set is seen after it too.
        await db.Database.OpenConnectionAsync();
        string? inside = null;
        await store.CommitAsync(CancellationToken.None, async ct => inside = await PlanCacheMode(db, ct));
        // A new case's transaction asks for them in its first statement, the allotment of its number (CommitNewAsync).
        string? insideNew = null;
        await store.CommitNewAsync(async (_, ct) => insideNew = await PlanCacheMode(db, ct), CancellationToken.None);
        Assert.Equal("force_generic_plan", insideNew);

        // Inside a case's write the statements keep one plan per session (GenericPlans); after it, the session's setting.
        Assert.Equal("force_generic_plan", inside);
        Assert.Equal("force_custom_plan", await PlanCacheMode(db, CancellationToken.None));

        // Sessions that do not prepare their statements (Max Auto Prepare 0), and Database:GenericPlansInWrites false, ask for nothing.
        var unprepared = new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { MaxAutoPrepare = 0 }.ConnectionString;
        foreach (var (connection, plans) in new[] { (unprepared, new GenericPlans(enabled: true)), (db.Database.GetConnectionString()!, new GenericPlans(enabled: false)) })
        {
            await using var other = new IntakeDbContext(new DbContextOptionsBuilder<IntakeDbContext>().UseNpgsql(connection).Options);
            await using var transaction = await other.Database.BeginTransactionAsync();
            await plans.UseForTransactionAsync(other.Database, CancellationToken.None);
            Assert.Equal("force_custom_plan", await PlanCacheMode(other, CancellationToken.None));
        }

        // Such a plan cannot fold away EF Core's "OR (key IS NULL AND array_position(keys, NULL) IS NOT NULL)" for a key that
        // may be null, and answers it by reading every case of the birth-year range: the statements test for null first.
        var query = new Registry.Intake.Domain.Linkage.BlockingQuery("AB123", ["smithjohn"], ["smith/j"], ["john/s"], 1980);
        var statements = new[]
        {
            db.BlockedWith(query, 1)!.ToQueryString(),
            db.BlockedWith(query with { BirthYear = null }, 1)!.ToQueryString(),
            db.Cases.BlockedWithAny([query, query with { BirthYear = null, FullKeys = ["doejane"] }]).Single().ToQueryString(),
        };
        Assert.All(statements, sql =>
        {
            Assert.Contains("= ANY (", sql);
            Assert.DoesNotContain("array_position", sql);
        });
        // A registration's blocking statement is one text whatever keys the case has (so EF Core compiles it once: DuplicateQuery.BlockedAsync).
        static string WithoutParameters(string sql) => string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith("-- @", StringComparison.Ordinal)));
        Assert.Equal(WithoutParameters(statements[0]), WithoutParameters(statements[1]));
        Assert.Equal(WithoutParameters(statements[0]), WithoutParameters(db.BlockedWith(query with { ServiceNumber = null, GivenBlocks = [] }, 1)!.ToQueryString()));

        // Nor can it estimate a range whose bounds it does not know: the frequency counts ask for each key's entries of the
        // window by an equality on the leading column of the (key, number) index, which such a plan still reads from that
        // index, never the whole window through the primary key (DuplicateQuery.KeyCountsStatement).
        // On this fixture's table of a few pages reading it whole can be cheapest: scans of the whole table are priced out, the
        // question being which index (LargeRegisterTests asks it over 100,000 cases as they come).
        var plan = await QueryPlans.GenericPlanOfAsync(db, DuplicateQuery.KeyCountsStatement, ["text[]", "bigint", "bigint", "bigint", "bigint"],
            "ARRAY['smith', 'john'], 80000, 100000, 1, 0", "SET LOCAL enable_seqscan = off");
        Assert.Contains($"IX_cases_{BlockingColumns.FamilyKeyColumn}_Number", plan);
        Assert.Contains($"IX_cases_{BlockingColumns.GivenKeyColumn}_Number", plan);
        Assert.DoesNotContain("PK_cases", plan);
        Assert.DoesNotContain("Seq Scan", plan);

        // The batch's blocking statement, one text for every batch, reads each rule's blocks from its (key, birth year) index
        // in a plan made without the arrays (DuplicateQuery.BatchBlockingStatement).
        var batchPlan = await QueryPlans.GenericPlanOfAsync(db, DuplicateQuery.BatchBlockingStatement,
            ["text[]", "text[]", "int[]", "int[]", "text[]", "int[]", "text[]", "int[]"],
            "ARRAY['AB123'], ARRAY['smithjohn'], ARRAY[1979], ARRAY[1981], ARRAY['smith/j'], ARRAY[1980], ARRAY['john/s'], ARRAY[1980]",
            "SET LOCAL enable_seqscan = off");
        Assert.Contains("IX_cases_ServiceNumberKey", batchPlan);
        Assert.Contains("IX_cases_LinkageFullKey_LinkageBirthYear", batchPlan);
        Assert.Contains("IX_cases_LinkageFullKeyLatin_LinkageBirthYear", batchPlan);
        Assert.Contains("IX_cases_LinkageFamilyBlock_LinkageBirthYear", batchPlan);
        Assert.Contains("IX_cases_LinkageGivenBlock_LinkageBirthYear", batchPlan);
        Assert.DoesNotContain("Seq Scan", batchPlan);
    }
}
