using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Features.Records;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using DomainRisk = Registry.Custody.Domain.ReturnRisk;
using DomainWish = Registry.Custody.Domain.ReturnWish;

namespace Registry.Custody.Tests;

/// <summary>Custody with a second listener on its events: the ends of captivity an exchange publishes.</summary>
public sealed class ExchangeListFixture : CustodyFixture
{
    /// <summary>CaptivityEnded as intake would receive it.</summary>
    public TestEvents Ends { get; private set; } = null!;

    protected override async Task StartingAsync(string broker)
    {
        await base.StartingAsync(broker);
        Ends = await TestEvents.StartAsync(broker, "test-custody-captivity-ended", typeof(CaptivityEnded));
    }

    protected override async Task StoppedAsync()
    {
        await Ends.DisposeAsync();
        await base.StoppedAsync();
    }
}

/// <summary>
/// Exchange lists for prisoner swaps: DRAFT → AGREED → EXECUTED or CANCELLED; a person under a non-refoulement hold
/// may be listed but is marked, and the execution holds them back (GC III Art. 118) and reports per person why.
/// </summary>
public sealed class ExchangeListTests(ExchangeListFixture custody) : IClassFixture<ExchangeListFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AdmittedAt = new(2025, 1, 12, 14, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private CustodyService.CustodyServiceClient Coordinator => new(custody.Service.As("UA-CNB", RegistryRoles.Coordinator));

    private async Task<Guid> HeldAsync(string number, bool admit = true)
    {
        var caseId = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = number, FamilyName = "Ri", GivenNames = "Kwang Sun",
            CapturedAt = CapturedAt, CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), Wait, "the custody record");
        if (admit)
        {
            await custody.Client.AdmitToFacilityAsync(new AdmitToFacilityRequest
            {
                RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(),
                Facility = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
                CustodianAgency = "UA-SBU", AdmittedAt = Timestamp.FromDateTimeOffset(AdmittedAt),
            });
        }

        return caseId;
    }

    /// <summary>The risk assessment and the wish, set through the domain (their RPCs are another part's).</summary>
    private Task ReturnAsync(Guid caseId, DomainRisk risk, DomainWish? wish) => custody.QueryAsync(async db =>
    {
        var record = await db.FindRecordAsync(caseId, tracked: true, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        db.Events.AddRange(record.AssessReturnRisk(risk, AdmittedAt.AddDays(10), now));
        if (wish is { } w)
        {
            db.Events.AddRange(record.RecordReturnWish(w, AdmittedAt.AddDays(9), now));
        }

        return await db.SaveChangesAsync();
    });

    private static DraftExchangeListRequest Draft(params Guid[] caseIds)
    {
        var request = new DraftExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Counterpart = new ExchangeCounterpart { State = "RU", Authority = "Ministry of Defence of the Russian Federation" },
            Note = "swap negotiated through the Coordination Headquarters",
        };
        request.CaseIds.AddRange(caseIds.Select(c => c.ToString()));
        return request;
    }

    private Task<AgreeExchangeListResponse> AgreeAsync(ExchangeList list) =>
        Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = list.ExchangeListId, Version = list.Version,
        }).ResponseAsync;

    /// <summary>
    /// Custody here has no medical to ask (no Services:Medical), so each eligible person's fitness answer is "medical
    /// unavailable": the override reason lets them go (the fitness question itself is tested with a real medical in
    /// FitnessGateTests; its refusal here in <see cref="Without_a_fitness_answer_an_eligible_person_is_held_back_and_the_others_still_go_by_their_own_rules"/>).
    /// </summary>
    private static ExecuteExchangeListRequest Execute(ExchangeList list, string? fitnessOverride = "the exchange is the safest course") => new()
    {
        RequestId = Guid.NewGuid().ToString(), ExchangeListId = list.ExchangeListId,
        // Now (within the allowed clock skew): not before the agreement just made.
        ExecutedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(1)),
        FitnessOverrideReason = fitnessOverride ?? "",
    };

    [Fact]
    public async Task Without_a_fitness_answer_an_eligible_person_is_held_back_and_the_others_still_go_by_their_own_rules()
    {
        var onHold = await HeldAsync("RC-000111");
        var eligible = await HeldAsync("RC-000112");
        await ReturnAsync(onHold, DomainRisk.High, DomainWish.DoesNotWishToReturn);
        await ReturnAsync(eligible, DomainRisk.Low, DomainWish.WishesToReturn);

        var agreed = await AgreedAsync(onHold, eligible);
        var report = await Coordinator.ExecuteExchangeListAsync(Execute(agreed, fitnessOverride: null));

        // Medical was not reachable: the eligible person stays (GC III Art. 119 applies Art. 46-48 to the journey home);
        // the one on hold is held back by the hold, which is checked before medical is asked.
        Assert.Equal(["NON_REFOULEMENT_HOLD", "MEDICAL_UNAVAILABLE"], report.Entries.Select(e => e.HeldBackReason));
        Assert.Equal((0, 2), (report.ExchangedCount, report.HeldBackCount));
        Assert.Equal(CustodyState.Held, (await RecordAsync(eligible)).State);
    }

    private async Task<ExchangeList> AgreedAsync(params Guid[] caseIds)
    {
        var draft = await Coordinator.DraftExchangeListAsync(Draft(caseIds));
        return (await AgreeAsync(draft.ExchangeList)).ExchangeList;
    }

    private async Task<CustodyRecord> RecordAsync(Guid caseId) =>
        (await custody.Client.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;

    private static async Task<RpcException> RefusedAsync<T>(Func<AsyncUnaryCall<T>> call) =>
        await Assert.ThrowsAsync<RpcException>(() => call().ResponseAsync);

    [Fact]
    public async Task The_seed_story_both_men_on_hold_are_marked_and_held_back_and_the_third_is_exchanged_once()
    {
        var first = await HeldAsync("RC-000101");
        var second = await HeldAsync("RC-000102");
        var third = await HeldAsync("RC-000103");
        await ReturnAsync(first, DomainRisk.High, DomainWish.DoesNotWishToReturn);
        await ReturnAsync(second, DomainRisk.High, null);
        await ReturnAsync(third, DomainRisk.Low, DomainWish.WishesToReturn);

        var draft = await Coordinator.DraftExchangeListAsync(Draft(first, second, third));
        Assert.Equal(ExchangeListState.Draft, draft.ExchangeList.State);
        Assert.Matches("^EX-[0-9]{6}$", draft.ExchangeList.Reference);
        Assert.Equal("UA-CNB", draft.ExchangeList.Drafted.Agency);
        Assert.Equal([first.ToString(), second.ToString(), third.ToString()], draft.Entries.Select(e => e.CaseId));
        // A person on hold may be listed, but is marked.
        Assert.Equal([true, true, false], draft.Entries.Select(e => e.OnHold));
        Assert.Contains("assessed high", draft.Entries[0].NonRefoulementHold);
        Assert.Equal("", draft.Entries[2].NonRefoulementHold);
        Assert.All(draft.Entries, e => Assert.Equal(CustodyState.Held, e.CustodyState));
        Assert.All(draft.Entries, e => Assert.Equal(ExchangeOutcome.Pending, e.Outcome));

        var agreed = (await AgreeAsync(draft.ExchangeList)).ExchangeList;
        Assert.Equal(ExchangeListState.Agreed, agreed.State);
        var request = Execute(agreed);
        var report = await Coordinator.ExecuteExchangeListAsync(request);

        Assert.Equal(ExchangeListState.Executed, report.ExchangeList.State);
        Assert.Equal((1, 2), (report.ExchangedCount, report.HeldBackCount));
        Assert.Equal([ExchangeOutcome.HeldBack, ExchangeOutcome.HeldBack, ExchangeOutcome.Exchanged], report.Entries.Select(e => e.Outcome));
        Assert.Equal(["NON_REFOULEMENT_HOLD", "NON_REFOULEMENT_HOLD", ""], report.Entries.Select(e => e.HeldBackReason));
        Assert.Contains("Art. 118", report.Entries[0].HeldBackDetail);
        Assert.Equal(CustodyState.Held, (await RecordAsync(first)).State);
        Assert.Equal(CustodyState.Held, (await RecordAsync(second)).State);
        var exchanged = await RecordAsync(third);
        Assert.Equal(CustodyState.Exchanged, exchanged.State);
        Assert.Equal(CustodyState.Exchanged, report.Entries[2].CustodyState);

        var timeline = await custody.Client.ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = third.ToString(), PageSize = 10 });
        var last = timeline.Events[^1];
        Assert.Equal(CustodyEventKind.Exchanged, last.Kind);
        Assert.Contains(agreed.Reference, last.Note);
        Assert.Contains("RU (Ministry of Defence of the Russian Federation)", last.Note);
        Assert.Equal(exchanged.HeadHash, last.Hash);
        // A person held back takes no event: captured, admitted, and the risk assessment and the wish only.
        Assert.Equal([CustodyEventKind.Captured, CustodyEventKind.Admitted, CustodyEventKind.ReturnRiskAssessed, CustodyEventKind.ReturnWishRecorded],
            (await custody.Client.ListCustodyEventsAsync(new ListCustodyEventsRequest { CaseId = first.ToString(), PageSize = 10 })).Events.Select(e => e.Kind));

        var ended = await custody.Ends.WaitForAsync<CaptivityEnded>(e => e.CaseId == third, "CaptivityEnded");
        Assert.Equal(("EXCHANGED", "RU"), (ended.Way, ended.ToState));
        Assert.Contains(agreed.Reference, ended.Detail);

        // A replay of the execution answers the same report and changes nothing.
        var replay = await Coordinator.ExecuteExchangeListAsync(request);
        Assert.True(replay.Replayed);
        Assert.Equal(report.Entries.Select(e => (e.CaseId, e.Outcome, e.HeldBackReason, e.HeldBackDetail)),
            replay.Entries.Select(e => (e.CaseId, e.Outcome, e.HeldBackReason, e.HeldBackDetail)));
        var again = await RefusedAsync(() => Coordinator.ExecuteExchangeListAsync(Execute(agreed)));
        RpcAssert.RuleViolation(again, "EXCHANGE_LIST_NOT_AGREED", $"exchange-lists/{agreed.ExchangeListId}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(custody.Ends.Of<CaptivityEnded>(), e => e.CaseId == third);
        Assert.DoesNotContain(custody.Ends.Of<CaptivityEnded>(), e => e.CaseId == first || e.CaseId == second);

        // The stored report reads the same.
        var read = await Coordinator.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = agreed.ExchangeListId });
        Assert.Equal([ExchangeOutcome.HeldBack, ExchangeOutcome.HeldBack, ExchangeOutcome.Exchanged], read.Entries.Select(e => e.Outcome));
        Assert.Equal(agreed.ExchangeListId, read.ExchangeList.ExchangeListId);
        Assert.Equal("UA-CNB", read.ExchangeList.Executed.Agency);
    }

    [Fact]
    public async Task The_execution_reports_what_held_each_person_back()
    {
        var escaped = await HeldAsync("RC-000111");
        var released = await HeldAsync("RC-000112");
        var merged = await HeldAsync("RC-000113");
        var survivor = await HeldAsync("RC-000114");
        var awaiting = await HeldAsync("RC-000115", admit: false);
        foreach (var id in new[] { escaped, released, merged, survivor, awaiting })
        {
            await ReturnAsync(id, DomainRisk.None, DomainWish.WishesToReturn);
        }

        var list = await AgreedAsync(escaped, released, merged, awaiting);
        var at = AdmittedAt.AddDays(20);
        await custody.QueryAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var e = await db.FindRecordAsync(escaped, tracked: true, CancellationToken.None);
            db.Events.Add(e.Escape(at, "over the fence", now));
            var r = await db.FindRecordAsync(released, tracked: true, CancellationToken.None);
            db.Events.Add(r.Release(at, "on parole", now));
            var s = await db.FindRecordAsync(survivor, tracked: true, CancellationToken.None);
            var m = await db.FindRecordAsync(merged, tracked: true, CancellationToken.None);
            var (se, me) = s.Absorb(m, at, now);
            db.Events.AddRange(se, me);
            return await db.SaveChangesAsync();
        });

        var report = await Coordinator.ExecuteExchangeListAsync(Execute(list));

        Assert.Equal(["CUSTODY_ILLEGAL_TRANSITION", "CAPTIVITY_ENDED", "CASE_MERGED", "CUSTODY_ILLEGAL_TRANSITION"],
            report.Entries.Select(e => e.HeldBackReason));
        Assert.All(report.Entries, e => Assert.Equal(ExchangeOutcome.HeldBack, e.Outcome));
        Assert.Contains(survivor.ToString(), report.Entries[2].HeldBackDetail);
        Assert.Equal(ExchangeListState.Executed, report.ExchangeList.State);
        Assert.Equal(CustodyState.Escaped, (await RecordAsync(escaped)).State);
        Assert.Equal(CustodyState.AwaitingAdmission, (await RecordAsync(awaiting)).State);
    }

    [Fact]
    public async Task A_case_whose_captivity_ended_is_refused_on_a_list_and_one_ended_since_drafting_is_held_back_by_it()
    {
        var held = await HeldAsync("RC-000161");
        var released = await HeldAsync("RC-000162");
        var dead = await HeldAsync("RC-000163");
        var later = await HeldAsync("RC-000164");
        foreach (var id in new[] { held, later })
        {
            await ReturnAsync(id, DomainRisk.None, DomainWish.WishesToReturn);
        }

        var at = AdmittedAt.AddDays(20);
        await custody.QueryAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var r = await db.FindRecordAsync(released, tracked: true, CancellationToken.None);
            db.Events.Add(r.Release(at, "on parole", now));
            var d = await db.FindRecordAsync(dead, tracked: true, CancellationToken.None);
            db.Events.Add(d.Die(at, "Military hospital No. 1", null, now));
            return await db.SaveChangesAsync();
        });

        // Drafting with them is refused, naming each case whose captivity ended, and nothing is stored.
        var draft = Draft(held, released, dead);
        var refused = await RefusedAsync(() => Coordinator.DraftExchangeListAsync(draft));
        RpcAssert.RuleViolation(refused, "CAPTIVITY_ENDED", $"cases/{released}");
        Assert.Contains($"case RC-000162 ({released}): Released", refused.Status.Detail);
        Assert.Contains($"case RC-000163 ({dead}): Deceased", refused.Status.Detail);
        Assert.DoesNotContain("RC-000161", refused.Status.Detail);
        Assert.Equal(0, await custody.QueryAsync(db => db.ExchangeListEntries.CountAsync(e => e.CaseId == held || e.CaseId == released || e.CaseId == dead)));
        Assert.Equal(0, await custody.QueryAsync(db => db.ExchangeListRequests.CountAsync(r => r.RequestId == Guid.Parse(draft.RequestId))));

        // Adding one to a draft is refused the same way; the draft keeps what it had.
        var list = (await Coordinator.DraftExchangeListAsync(Draft(held, later))).ExchangeList;
        var add = new AddToExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = list.ExchangeListId, CaseIds = { dead.ToString() } };
        var notAdded = await RefusedAsync(() => Coordinator.AddToExchangeListAsync(add));
        RpcAssert.RuleViolation(notAdded, "CAPTIVITY_ENDED", $"cases/{dead}");
        Assert.Contains("RC-000163", notAdded.Status.Detail);
        var stored = await Coordinator.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = list.ExchangeListId });
        Assert.Equal([held.ToString(), later.ToString()], stored.Entries.Select(e => e.CaseId));
        Assert.Equal(list.Version, stored.ExchangeList.Version);
        Assert.Equal(0, await custody.QueryAsync(db => db.ExchangeListRequests.CountAsync(r => r.RequestId == Guid.Parse(add.RequestId))));

        // Agreed, then one of them is released before the exchange: the execution holds that case back, saying why.
        var agreed = (await AgreeAsync(list)).ExchangeList;
        await custody.QueryAsync(async db =>
        {
            var l = await db.FindRecordAsync(later, tracked: true, CancellationToken.None);
            db.Events.Add(l.Release(at, "released before the exchange", DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });
        var report = await Coordinator.ExecuteExchangeListAsync(Execute(agreed));
        Assert.Equal([ExchangeOutcome.Exchanged, ExchangeOutcome.HeldBack], report.Entries.Select(e => e.Outcome));
        Assert.Equal(["", "CAPTIVITY_ENDED"], report.Entries.Select(e => e.HeldBackReason));
        Assert.Contains("RC-000164", report.Entries[1].HeldBackDetail);
        Assert.Equal((1, 1), (report.ExchangedCount, report.HeldBackCount));
        Assert.Equal(CustodyState.Released, (await RecordAsync(later)).State);
    }

    [Fact]
    public async Task The_lifecycle_refuses_the_moves_its_state_does_not_allow()
    {
        var a = await HeldAsync("RC-000121");
        var b = await HeldAsync("RC-000122");
        var draft = (await Coordinator.DraftExchangeListAsync(Draft(a))).ExchangeList;
        var subject = $"exchange-lists/{draft.ExchangeListId}";

        var empty = (await Coordinator.DraftExchangeListAsync(Draft())).ExchangeList;
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = empty.ExchangeListId, Version = empty.Version,
        })), "EXCHANGE_LIST_EMPTY", $"exchange-lists/{empty.ExchangeListId}");
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.ExecuteExchangeListAsync(Execute(draft))), "EXCHANGE_LIST_NOT_AGREED", subject);

        var added = await Coordinator.AddToExchangeListAsync(new AddToExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, CaseIds = { b.ToString() },
        });
        Assert.Equal([a.ToString(), b.ToString()], added.Entries.Select(e => e.CaseId));
        var removed = await Coordinator.RemoveFromExchangeListAsync(new RemoveFromExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, CaseIds = { a.ToString() },
        });
        Assert.Equal([b.ToString()], removed.Entries.Select(e => e.CaseId));
        Assert.Equal(1, removed.ExchangeList.EntryCount);

        // The version read when agreeing: a list changed since is refused ABORTED.
        var stale = await RefusedAsync(() => Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, Version = draft.Version,
        }));
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);

        var agreed = await AgreeAsync(removed.ExchangeList);
        Assert.Equal(ExchangeListState.Agreed, agreed.ExchangeList.State);
        Assert.Equal("UA-CNB", agreed.ExchangeList.Agreed.Agency);
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.AddToExchangeListAsync(new AddToExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, CaseIds = { a.ToString() },
        })), "EXCHANGE_LIST_NOT_DRAFT", subject);
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.RemoveFromExchangeListAsync(new RemoveFromExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, CaseIds = { b.ToString() },
        })), "EXCHANGE_LIST_NOT_DRAFT", subject);
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, Version = agreed.ExchangeList.Version,
        })), "EXCHANGE_LIST_NOT_DRAFT", subject);

        // A person may be on several drafts, on one agreed list at most.
        var other = (await Coordinator.DraftExchangeListAsync(Draft(b))).ExchangeList;
        var twice = await RefusedAsync(() => Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = other.ExchangeListId, Version = other.Version,
        }));
        RpcAssert.RuleViolation(twice, "CASE_ON_AGREED_LIST", $"exchange-lists/{other.ExchangeListId}");
        Assert.Contains(agreed.ExchangeList.Reference, twice.Status.Detail);

        // Cancelled from AGREED: the person is free for another agreed list; a cancelled list takes no more steps.
        var cancel = new CancelExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, Reason = "the counterpart withdrew" };
        var cancelled = await Coordinator.CancelExchangeListAsync(cancel);
        Assert.Equal(ExchangeListState.Cancelled, cancelled.ExchangeList.State);
        Assert.Equal("the counterpart withdrew", cancelled.ExchangeList.CancelReason);
        Assert.Equal("UA-CNB", cancelled.ExchangeList.Cancelled.Agency);
        Assert.True((await Coordinator.CancelExchangeListAsync(cancel)).Replayed);
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.CancelExchangeListAsync(new CancelExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = draft.ExchangeListId, Reason = "again",
        })), "EXCHANGE_LIST_CLOSED", subject);
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.ExecuteExchangeListAsync(Execute(draft))), "EXCHANGE_LIST_NOT_AGREED", subject);
        Assert.Equal(ExchangeListState.Agreed, (await AgreeAsync(other)).ExchangeList.State);

        // Cancelled from DRAFT too; an executed list cannot be cancelled.
        Assert.Equal(ExchangeListState.Cancelled, (await Coordinator.CancelExchangeListAsync(new CancelExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = empty.ExchangeListId, Reason = "drawn up by mistake",
        })).ExchangeList.State);
        await Coordinator.ExecuteExchangeListAsync(Execute(other));
        RpcAssert.RuleViolation(await RefusedAsync(() => Coordinator.CancelExchangeListAsync(new CancelExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = other.ExchangeListId, Reason = "too late",
        })), "EXCHANGE_LIST_CLOSED", $"exchange-lists/{other.ExchangeListId}");
    }

    [Fact]
    public async Task A_draft_is_idempotent_on_its_request_id()
    {
        var a = await HeldAsync("RC-000131");
        var request = Draft(a);
        var first = await Coordinator.DraftExchangeListAsync(request);
        var retry = await Coordinator.DraftExchangeListAsync(request);
        Assert.True(retry.Replayed);
        Assert.Equal(first.ExchangeList.ExchangeListId, retry.ExchangeList.ExchangeListId);
        Assert.Equal(first.ExchangeList.Reference, retry.ExchangeList.Reference);

        var reused = request.Clone();
        reused.Note = "another list";
        Assert.Equal(StatusCode.AlreadyExists, (await RefusedAsync(() => Coordinator.DraftExchangeListAsync(reused))).StatusCode);
        Assert.Equal(1, await custody.QueryAsync(db => db.ExchangeListRequests.CountAsync(r => r.RequestId == Guid.Parse(request.RequestId))));
        Assert.Equal(1, await custody.QueryAsync(db => db.ExchangeListEntries.CountAsync(e => e.CaseId == a)));
    }

    [Fact]
    public async Task Bad_input_names_every_field_and_stores_nothing()
    {
        var a = await HeldAsync("RC-000141");
        var s = await HeldAsync("RC-000142");
        var m = await HeldAsync("RC-000143");
        await custody.QueryAsync(async db =>
        {
            var survivor = await db.FindRecordAsync(s, tracked: true, CancellationToken.None);
            var merged = await db.FindRecordAsync(m, tracked: true, CancellationToken.None);
            var (se, me) = survivor.Absorb(merged, AdmittedAt.AddDays(2), DateTimeOffset.UtcNow);
            db.Events.AddRange(se, me);
            return await db.SaveChangesAsync();
        });
        var listsBefore = await custody.QueryAsync(db => db.ExchangeLists.CountAsync());

        var fields = new Dictionary<string, Action<DraftExchangeListRequest>>
        {
            ["request_id"] = r => r.RequestId = "not-a-uuid",
            ["counterpart"] = r => r.Counterpart = null,
            ["counterpart.state"] = r => r.Counterpart.State = "ZZ",
            ["counterpart.authority"] = r => r.Counterpart.Authority = " ",
            ["note"] = r => r.Note = new string('x', 1001),
            ["case_ids[0]"] = r => r.CaseIds[0] = "nope",
        };
        foreach (var (field, spoil) in fields)
        {
            var request = Draft(a);
            spoil(request);
            AssertInvalid(await RefusedAsync(() => Coordinator.DraftExchangeListAsync(request)), field);
        }

        AssertInvalid(await RefusedAsync(() => Coordinator.DraftExchangeListAsync(Draft(a, a))), "case_ids[1]");
        AssertInvalid(await RefusedAsync(() => Coordinator.DraftExchangeListAsync(Draft([.. Enumerable.Range(0, 501).Select(_ => Guid.NewGuid())]))), "case_ids");
        var unknown = Guid.NewGuid();
        var notFound = await RefusedAsync(() => Coordinator.DraftExchangeListAsync(Draft(a, unknown)));
        Assert.Contains(unknown.ToString(), AssertInvalid(notFound, "case_ids[1]"));
        var mergedRefusal = await RefusedAsync(() => Coordinator.DraftExchangeListAsync(Draft(m)));
        Assert.Contains(s.ToString(), AssertInvalid(mergedRefusal, "case_ids[0]"));
        Assert.Contains("RC-000142", AssertInvalid(mergedRefusal, "case_ids[0]"));

        var list = (await Coordinator.DraftExchangeListAsync(Draft(a))).ExchangeList;
        var id = list.ExchangeListId;
        AssertInvalid(await RefusedAsync(() => Coordinator.AddToExchangeListAsync(new AddToExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = "x", CaseIds = { s.ToString() } })), "exchange_list_id");
        AssertInvalid(await RefusedAsync(() => Coordinator.AddToExchangeListAsync(new AddToExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = id })), "case_ids");
        AssertInvalid(await RefusedAsync(() => Coordinator.AddToExchangeListAsync(new AddToExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = id, CaseIds = { s.ToString(), a.ToString() } })), "case_ids[1]");
        AssertInvalid(await RefusedAsync(() => Coordinator.RemoveFromExchangeListAsync(new RemoveFromExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = id, CaseIds = { s.ToString() } })), "case_ids[0]");
        AssertInvalid(await RefusedAsync(() => Coordinator.AgreeExchangeListAsync(new AgreeExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = id })), "version");
        AssertInvalid(await RefusedAsync(() => Coordinator.CancelExchangeListAsync(new CancelExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = id, Reason = "a\nb" })), "reason");
        AssertInvalid(await RefusedAsync(() => Coordinator.CancelExchangeListAsync(new CancelExchangeListRequest { RequestId = "", ExchangeListId = id, Reason = "r" })), "request_id");
        AssertInvalid(await RefusedAsync(() => Coordinator.ExecuteExchangeListAsync(new ExecuteExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = id })), "executed_at");
        AssertInvalid(await RefusedAsync(() => Coordinator.ExecuteExchangeListAsync(new ExecuteExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = id, ExecutedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)),
        })), "executed_at");
        var agreed = (await AgreeAsync(list)).ExchangeList;
        AssertInvalid(await RefusedAsync(() => Coordinator.ExecuteExchangeListAsync(new ExecuteExchangeListRequest
        {
            RequestId = Guid.NewGuid().ToString(), ExchangeListId = id, ExecutedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
        })), "executed_at");
        AssertInvalid(await RefusedAsync(() => Coordinator.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = "" })), "exchange_list_id");
        Assert.Equal(StatusCode.NotFound, (await RefusedAsync(() => Coordinator.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = Guid.NewGuid().ToString() }))).StatusCode);
        AssertInvalid(await RefusedAsync(() => Coordinator.ListExchangeListsAsync(new ListExchangeListsRequest { PageSize = 0 })), "page_size");
        AssertInvalid(await RefusedAsync(() => Coordinator.ListExchangeListsAsync(new ListExchangeListsRequest { PageSize = 1, State = (ExchangeListState)99 })), "state");

        // Nothing stored by the refused calls: one list (the valid draft), with one entry, agreed and not executed.
        Assert.Equal(listsBefore + 1, await custody.QueryAsync(db => db.ExchangeLists.CountAsync()));
        var stored = await Coordinator.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = id });
        Assert.Equal([a.ToString()], stored.Entries.Select(e => e.CaseId));
        Assert.Equal(ExchangeListState.Agreed, stored.ExchangeList.State);
        Assert.Equal(agreed.Version, stored.ExchangeList.Version);
    }

    [Fact]
    public async Task Lists_page_in_the_order_drafted_filtered_by_state()
    {
        var a = await HeldAsync("RC-000151");
        var drafted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var list = (await Coordinator.DraftExchangeListAsync(Draft(a))).ExchangeList;
            await Coordinator.CancelExchangeListAsync(new CancelExchangeListRequest { RequestId = Guid.NewGuid().ToString(), ExchangeListId = list.ExchangeListId, Reason = "paging" });
            drafted.Add(list.ExchangeListId);
        }

        var seen = new List<ExchangeList>();
        var token = "";
        do
        {
            var page = await Coordinator.ListExchangeListsAsync(new ListExchangeListsRequest { State = ExchangeListState.Cancelled, PageSize = 1, PageToken = token });
            seen.AddRange(page.ExchangeLists);
            token = page.NextPageToken;
            if (token != "")
            {
                // A token is tied to its filter.
                AssertInvalid(await RefusedAsync(() => Coordinator.ListExchangeListsAsync(new ListExchangeListsRequest { State = ExchangeListState.Draft, PageSize = 1, PageToken = token })), "page_token");
            }
        }
        while (token != "");

        Assert.All(seen, l => Assert.Equal(ExchangeListState.Cancelled, l.State));
        Assert.Equal(seen.Count, seen.Select(l => l.ExchangeListId).Distinct().Count());
        Assert.Equal(drafted, seen.Select(l => l.ExchangeListId).Where(drafted.Contains));
        Assert.All(seen.Where(l => drafted.Contains(l.ExchangeListId)), l => Assert.Equal(1, l.EntryCount));
        var all = await Coordinator.ListExchangeListsAsync(new ListExchangeListsRequest { PageSize = 500 });
        Assert.Superset(drafted.ToHashSet(), all.ExchangeLists.Select(l => l.ExchangeListId).ToHashSet());
    }

    [Fact]
    public async Task The_coordinator_writes_the_lists_and_custodians_delegates_and_auditors_read_them()
    {
        var a = await HeldAsync("RC-000161");
        var draft = Draft(a);
        foreach (var role in new[] { RegistryRoles.Custodian, RegistryRoles.IcrcDelegate, RegistryRoles.Auditor, RegistryRoles.Partner, RegistryRoles.Medic })
        {
            var client = new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", role));
            Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(() => client.DraftExchangeListAsync(draft))).StatusCode);
        }

        var list = (await Coordinator.DraftExchangeListAsync(draft)).ExchangeList;
        Assert.Equal("UA-CNB", list.Drafted.Agency);
        Assert.NotEqual("", list.Drafted.ClientId);
        foreach (var role in new[] { RegistryRoles.Custodian, RegistryRoles.IcrcDelegate, RegistryRoles.Auditor })
        {
            var reader = new CustodyService.CustodyServiceClient(custody.Service.As("ICRC", role));
            Assert.Equal(list.Reference, (await reader.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = list.ExchangeListId })).ExchangeList.Reference);
            Assert.NotEmpty((await reader.ListExchangeListsAsync(new ListExchangeListsRequest { PageSize = 10 })).ExchangeLists);
            Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(() => reader.AgreeExchangeListAsync(new AgreeExchangeListRequest
            {
                RequestId = Guid.NewGuid().ToString(), ExchangeListId = list.ExchangeListId, Version = list.Version,
            }))).StatusCode);
        }

        var partner = new CustodyService.CustodyServiceClient(custody.Service.As("KR-NIS", RegistryRoles.Partner));
        Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(() => partner.GetExchangeListAsync(new GetExchangeListRequest { ExchangeListId = list.ExchangeListId }))).StatusCode);
    }

    /// <summary>INVALID_ARGUMENT with a BadRequest naming <paramref name="field"/>; its description.</summary>
    private static string AssertInvalid(RpcException error, string field)
    {
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violations = error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [];
        var named = violations.FirstOrDefault(v => v.Field == field);
        Assert.True(named is not null, $"expected a violation of {field}; got: {string.Join(", ", violations.Select(v => v.Field))}");
        return named!.Description;
    }
}
