using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// What a merge carries to the survivor in intake: the capture cards the person owes (no overdue card vanishes),
/// every name the merged case had (search finds the survivor by them), and decisions on the pair that stay
/// consistent (no "different persons" on a merged pair, no merge of a pair declared different persons until the
/// decision is reopened), logged with who took them.
/// </summary>
public sealed class MergeTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static string Word() => string.Concat(Enumerable.Range(0, 8).Select(_ => (char)('a' + Random.Shared.Next(26))));

    private static RegisterCaptureRequest Person(Identity identity, string agency)
    {
        var request = Requests.Rifleman();
        request.Identity = identity;
        request.Capture.CapturingAgency = agency;
        return request;
    }

    private static RegisterCaptureRequest Person(string family, string given, string agency) =>
        Person(new Identity { FamilyNameLatin = family, GivenNamesLatin = given, DateOfBirth = new PartialDate { Year = 1999 }, Nationality = "KP" }, agency);

    private Task<MergeCasesResponse> MergeAsync(Case survivor, Case merged, string reason = "same man: fingerprints match") =>
        intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = merged.CaseId, MergedRevision = merged.Revision, Reason = reason,
        }).ResponseAsync;

    private async Task<List<OverdueItem>> OverdueCardsAsync(DateTimeOffset asOf, params string[] caseIds) =>
        (await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = Timestamp.FromDateTimeOffset(asOf), PageSize = 500 }))
            .Items.Where(i => i.Kind == OverdueKind.CaptureCard && caseIds.Contains(i.CaseId)).ToList();

    private async Task<List<string>> FindAsync(string name) =>
        (await intake.Client.SearchCasesAsync(new SearchCasesRequest { Name = name, PageSize = 100 })).Cases.Select(c => c.CaseId).ToList();

    [Fact]
    public async Task A_merged_cases_overdue_capture_card_is_owed_by_the_survivor_not_withdrawn()
    {
        var (family, given) = (Word(), Word());
        // Y: registered and admitted to Camp 7 ten days ago: its capture card was due three days ago (GC III Art. 70).
        var y = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SBU"))).Case;
        var admittedAt = DateTimeOffset.UtcNow.AddDays(-10);
        await intake.Bus.Publisher.Publish(new CustodyAdmitted
        {
            CaseId = Guid.Parse(y.CaseId), AdmittedAt = admittedAt, Facility = "Camp 7", Country = "UA", CustodianAgency = "UA-SBU",
        });
        await Eventually.TrueAsync(async () => (await OverdueCardsAsync(DateTimeOffset.UtcNow, y.CaseId)).Count == 1, TimeSpan.FromSeconds(30), "Y's card overdue");
        var owed = Assert.Single(await OverdueCardsAsync(DateTimeOffset.UtcNow, y.CaseId));
        // X: the same man registered today by another agency; its own card is due in a week.
        var x = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SSO"))).Case;
        y = (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = y.CaseId })).Case;

        await MergeAsync(x, y);

        // The person still owes the card that was overdue: now under the survivor, same card, same due time.
        var carried = Assert.Single(await OverdueCardsAsync(DateTimeOffset.UtcNow, x.CaseId, y.CaseId));
        Assert.Equal((x.CaseId, x.CaseNumber, owed.CaptureCardId, owed.DueAt), (carried.CaseId, carried.CaseNumber, carried.CaptureCardId, carried.DueAt));
        // Only one admission card is owed for the person: X's own (due later) was withdrawn, not added.
        Assert.Single(await OverdueCardsAsync(DateTimeOffset.UtcNow.AddDays(30), x.CaseId, y.CaseId));
        // Issuing it on the survivor discharges it.
        var issued = (await intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = x.CaseId })).CaptureCard;
        Assert.Equal((owed.CaptureCardId, x.CaseId), (issued.CaptureCardId, issued.CaseId));
        Assert.Empty(await OverdueCardsAsync(DateTimeOffset.UtcNow.AddDays(30), x.CaseId, y.CaseId));
    }

    [Fact]
    public async Task A_transfer_card_the_merged_case_owes_moves_to_the_survivor()
    {
        var (family, given) = (Word(), Word());
        var x = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SSO"))).Case;
        var y = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SBU"))).Case;
        await intake.Bus.Publisher.Publish(new CustodyTransferred
        {
            CaseId = Guid.Parse(y.CaseId), TransferredAt = DateTimeOffset.UtcNow.AddDays(-9), FromFacility = "Camp 7", ToFacility = "Camp 9",
        });
        await Eventually.TrueAsync(async () => (await OverdueCardsAsync(DateTimeOffset.UtcNow, y.CaseId)).Count == 1, TimeSpan.FromSeconds(30), "Y's transfer card overdue");
        y = (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = y.CaseId })).Case;

        await MergeAsync(x, y);

        var transfer = Assert.Single(await OverdueCardsAsync(DateTimeOffset.UtcNow, x.CaseId, y.CaseId));
        Assert.Equal(("transfer", x.CaseId), (transfer.Reason, transfer.CaseId));
    }

    [Fact]
    public async Task After_a_merge_the_survivor_is_found_by_every_name_the_merged_case_had()
    {
        var tag = Word();
        var x = (await intake.Client.RegisterCaptureAsync(Person(new Identity
        {
            FamilyNameLatin = "Jo", GivenNamesLatin = $"Myong Chol {tag}", DateOfBirth = new PartialDate { Year = 1999 }, Nationality = "KP",
        }, "UA-SSO"))).Case;
        var y = (await intake.Client.RegisterCaptureAsync(Person(new Identity
        {
            FamilyName = "조", GivenNames = $"명철{tag}", FamilyNameLatin = "Cho", GivenNamesLatin = $"Myeong-cheol {tag}", DateOfBirth = new PartialDate { Year = 1999 },
        }, "UA-SBU"))).Case;

        var merged = await MergeAsync(x, y);

        Assert.Contains(x.CaseId, await FindAsync($"Myeong-cheol {tag}"));
        Assert.Contains(x.CaseId, await FindAsync($"명철{tag}"));
        Assert.DoesNotContain(y.CaseId, await FindAsync($"Myeong-cheol {tag}")); // merged cases are left out of search
        Assert.Equal([$"조 명철{tag} | Cho Myeong-cheol {tag}"], merged.Survivor.AlsoKnownAs);
        Assert.Equal(merged.Survivor.AlsoKnownAs, (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = x.CaseId })).Case.AlsoKnownAs);

        // A case merged into one that is merged in turn: the last survivor carries both.
        var z = (await intake.Client.RegisterCaptureAsync(Person(new Identity { FamilyNameLatin = "Tscho", GivenNamesLatin = $"Mjong {tag}" }, "UA-SSO"))).Case;
        await MergeAsync(z, merged.Survivor);
        Assert.Contains(z.CaseId, await FindAsync($"Myeong-cheol {tag}"));
        Assert.Contains(z.CaseId, await FindAsync($"Myong Chol {tag}"));
    }

    [Fact]
    public async Task A_merged_pair_cannot_be_declared_different_persons_in_either_order_nor_through_another_case_merged_into_the_survivor()
    {
        var (family, given) = (Word(), Word());
        var x = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SSO"))).Case;
        var y = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SBU"))).Case;
        var w = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-GUR"))).Case;
        var first = await MergeAsync(x, y);
        await MergeAsync(first.Survivor, (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = w.CaseId })).Case);

        foreach (var (a, b) in new[] { (x, y), (y, x), (y, w), (w, x) })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest
            {
                CaseId = a.CaseId, OtherCaseId = b.CaseId, Reason = "twins",
            }).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Equal("CASE_MERGED", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        }

        var decisions = (await intake.Client.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { CaseId = x.CaseId, PageSize = 50 })).DuplicateDecisions;
        Assert.Equal([DuplicateStatus.Merged, DuplicateStatus.Merged], decisions.Select(d => d.Status));
    }

    [Fact]
    public async Task A_pair_declared_different_persons_is_merged_only_after_the_decision_is_reopened_and_the_log_shows_who_decided()
    {
        var (family, given) = (Word(), Word());
        var x = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SSO"))).Case;
        var y = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SBU"))).Case;
        var coordinator = new IntakeService.IntakeServiceClient(intake.Service.As("UA-NIB", "coordinator"));
        await coordinator.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = x.CaseId, OtherCaseId = y.CaseId, Reason = "brothers" });
        // Said again (the case id spelt in capitals): the decision on file stands and nothing more is logged.
        var again = await coordinator.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = y.CaseId.ToUpperInvariant(), OtherCaseId = x.CaseId, Reason = "twins" });
        Assert.Equal((DuplicateStatus.NotDuplicate, "brothers"), (again.DuplicateCandidate.Status, again.DuplicateCandidate.ResolutionNote));

        var refused = await Assert.ThrowsAsync<RpcException>(() => MergeAsync(x, y));
        Assert.Equal((StatusCode.FailedPrecondition, "MARKED_NOT_DUPLICATE"), (refused.StatusCode, refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
        Assert.Equal("", (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = y.CaseId })).Case.MergedIntoCaseId);

        var reopen = new ReopenDuplicateDecisionRequest { RequestId = Guid.NewGuid().ToString().ToUpperInvariant(), CaseId = x.CaseId, OtherCaseId = y.CaseId, Reason = "fingerprints match" };
        var reopened = await coordinator.ReopenDuplicateDecisionAsync(reopen);
        var replayed = await coordinator.ReopenDuplicateDecisionAsync(reopen);
        Assert.Equal((DuplicateStatus.Open, false, true), (reopened.DuplicateCandidate.Status, reopened.Replayed, replayed.Replayed));
        Assert.Equal(reopened.DuplicateCandidate, replayed.DuplicateCandidate);
        var notAgain = await Assert.ThrowsAsync<RpcException>(() => coordinator.ReopenDuplicateDecisionAsync(new ReopenDuplicateDecisionRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = x.CaseId, OtherCaseId = y.CaseId, Reason = "again",
        }).ResponseAsync);
        Assert.Equal("DUPLICATE_NOT_DECIDED", notAgain.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var merged = await coordinator.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = x.CaseId, SurvivorRevision = x.Revision, MergedCaseId = y.CaseId, MergedRevision = y.Revision, Reason = "one man",
        });
        Assert.Equal(x.CaseId, merged.Merged.MergedIntoCaseId);

        var log = (await coordinator.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { CaseId = y.CaseId, PageSize = 50 })).DuplicateDecisions;
        Assert.Equal(
            [(DuplicateStatus.NotDuplicate, "brothers"), (DuplicateStatus.Open, "fingerprints match"), (DuplicateStatus.Merged, "one man")],
            log.Select(d => (d.Status, d.Note)));
        Assert.All(log, d => Assert.Equal(("UA-NIB", y.CaseId, x.CaseId), (d.DecidedByAgency, d.CaseId, d.OtherCaseId)));
        Assert.All(log, d => Assert.False(string.IsNullOrEmpty(d.DecidedByClient)));
        var onlyReopened = (await coordinator.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { CaseId = y.CaseId, Status = DuplicateStatus.Open, PageSize = 50 })).DuplicateDecisions;
        Assert.Equal("fingerprints match", Assert.Single(onlyReopened).Note);

        // Paged: one at a time, the same three in the same order.
        var paged = new List<Protos.Intake.V1.DuplicateDecision>();
        var token = "";
        do
        {
            var page = await coordinator.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { CaseId = y.CaseId, PageSize = 1, PageToken = token });
            paged.AddRange(page.DuplicateDecisions);
            token = page.NextPageToken;
        }
        while (token != "");
        Assert.Equal(log, paged);
    }

    [Theory]
    [InlineData("reopen: empty", "request_id")]
    [InlineData("reopen: request id not a uuid", "request_id")]
    [InlineData("reopen: no case", "case_id")]
    [InlineData("reopen: itself", "other_case_id")]
    [InlineData("reopen: no reason", "reason")]
    [InlineData("reopen: reason too long", "reason")]
    [InlineData("list: page size 0", "page_size")]
    [InlineData("list: case id not a uuid", "case_id")]
    [InlineData("list: status out of range", "status")]
    [InlineData("list: forged page token", "page_token")]
    public async Task A_bad_decision_request_is_refused_naming_the_field_and_changes_nothing(string call, string field)
    {
        var (family, given) = (Word(), Word());
        var a = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SSO"))).Case;
        var b = (await intake.Client.RegisterCaptureAsync(Person(family, given, "UA-SBU"))).Case;
        await intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = a.CaseId, OtherCaseId = b.CaseId, Reason = "brothers" });
        var before = await intake.QueryAsync(db => db.DuplicateDecisions.CountAsync());
        ReopenDuplicateDecisionRequest Reopen() => new() { RequestId = Guid.NewGuid().ToString(), CaseId = a.CaseId, OtherCaseId = b.CaseId, Reason = "x" };
        Func<Task> act = call switch
        {
            "reopen: empty" => () => intake.Client.ReopenDuplicateDecisionAsync(new ReopenDuplicateDecisionRequest()).ResponseAsync,
            "reopen: request id not a uuid" => () => intake.Client.ReopenDuplicateDecisionAsync(With(Reopen(), r => r.RequestId = "abc")).ResponseAsync,
            "reopen: no case" => () => intake.Client.ReopenDuplicateDecisionAsync(With(Reopen(), r => r.CaseId = "")).ResponseAsync,
            "reopen: itself" => () => intake.Client.ReopenDuplicateDecisionAsync(With(Reopen(), r => r.OtherCaseId = a.CaseId)).ResponseAsync,
            "reopen: no reason" => () => intake.Client.ReopenDuplicateDecisionAsync(With(Reopen(), r => r.Reason = "")).ResponseAsync,
            "reopen: reason too long" => () => intake.Client.ReopenDuplicateDecisionAsync(With(Reopen(), r => r.Reason = new string('x', 1001))).ResponseAsync,
            "list: page size 0" => () => intake.Client.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest()).ResponseAsync,
            "list: case id not a uuid" => () => intake.Client.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { CaseId = "x", PageSize = 5 }).ResponseAsync,
            "list: status out of range" => () => intake.Client.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { Status = (DuplicateStatus)42, PageSize = 5 }).ResponseAsync,
            "list: forged page token" => () => intake.Client.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { PageSize = 5, PageToken = "abc" }).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        var error = await Assert.ThrowsAsync<RpcException>(act);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.QueryAsync(db => db.DuplicateDecisions.CountAsync()));
        var decisions = (await intake.Client.ListDuplicateDecisionsAsync(new ListDuplicateDecisionsRequest { CaseId = a.CaseId, PageSize = 5 })).DuplicateDecisions;
        Assert.Equal(DuplicateStatus.NotDuplicate, Assert.Single(decisions).Status);
    }

    private static T With<T>(T message, Action<T> change)
    {
        change(message);
        return message;
    }
}
