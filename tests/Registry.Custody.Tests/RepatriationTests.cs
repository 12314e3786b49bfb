using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using static Registry.Custody.Tests.ReturnsFixture;

namespace Registry.Custody.Tests;

/// <summary>RequestRepatriation under the non-refoulement hold (GC III Art. 118; ICRC Commentary 2020), end to end through the RPCs.</summary>
[Collection(ReturnsCollection.Name)]
public sealed class RepatriationTests(ReturnsFixture custody)
{
    /// <summary>The hold's table: 0 stands for "none recorded".</summary>
    public static TheoryData<ReturnRisk, ReturnWish, bool> HoldTable => new()
    {
        { ReturnRisk.Unspecified, ReturnWish.Unspecified, false },
        { ReturnRisk.Unspecified, ReturnWish.WishesToReturn, false },
        { ReturnRisk.High, ReturnWish.WishesToReturn, false },
        { ReturnRisk.High, ReturnWish.DoesNotWishToReturn, false },
        { ReturnRisk.Undetermined, ReturnWish.WishesToReturn, false },
        { ReturnRisk.Low, ReturnWish.Unspecified, false },
        { ReturnRisk.None, ReturnWish.Unspecified, false },
        { ReturnRisk.Low, ReturnWish.WishesToReturn, true },
        // The rule as implemented (CustodyRecord.NonRefoulementHold): with no real risk, a recorded wish not to return does not hold.
        { ReturnRisk.None, ReturnWish.DoesNotWishToReturn, true },
    };

    [Theory]
    [MemberData(nameof(HoldTable))]
    public async Task The_hold_decides_whether_the_person_may_be_repatriated(ReturnRisk risk, ReturnWish wish, bool goes)
    {
        var caseId = await custody.HeldAsync();
        if (risk != ReturnRisk.Unspecified)
        {
            await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, risk));
        }

        if (wish != ReturnWish.Unspecified)
        {
            await custody.Delegate.RecordReturnWishAsync(Wish(caseId, wish));
        }

        var before = await custody.RecordAsync(caseId);
        Assert.Equal(goes, before.NonRefoulementHold == "");
        // Captured, admitted, and each assessment and wish: events of the timeline too.
        Assert.Equal(2 + (risk == ReturnRisk.Unspecified ? 0 : 1) + (wish == ReturnWish.Unspecified ? 0 : 1), await custody.EventCountAsync(caseId));
        if (goes)
        {
            var done = await custody.Coordinator.RequestRepatriationAsync(Repatriation(caseId));
            Assert.Equal(CustodyState.Repatriated, done.Record.State);
            Assert.Equal(CustodyEventKind.Repatriated, done.Event.Kind);
            return;
        }

        var refused = await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(Repatriation(caseId)));
        RpcAssert.RuleViolation(refused, "NON_REFOULEMENT_HOLD", $"cases/{caseId}");
        Assert.Contains(before.NonRefoulementHold, refused.Status.Detail);
        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
        Assert.Equal(before.EventCount, await custody.EventCountAsync(caseId));
        Assert.Equal(0, await custody.EndedInOutboxAsync(caseId));
    }

    [Fact]
    public async Task Seed_story_both_men_assessed_at_high_risk_are_refused_repatriation()
    {
        // Both were ordered to kill themselves rather than be captured: punishment awaits them on return.
        var first = await custody.HeldAsync("백", "광순");
        var second = await custody.HeldAsync("리", "정");
        foreach (var caseId in new[] { first, second })
        {
            await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn));
            var assessed = await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.High));
            Assert.StartsWith("the risk on return was assessed high", assessed.Record.NonRefoulementHold);

            var refused = await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(Repatriation(caseId)));
            RpcAssert.RuleViolation(refused, "NON_REFOULEMENT_HOLD", $"cases/{caseId}");
            Assert.Contains("assessed high", refused.Status.Detail);
            Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
            Assert.Equal(0, await custody.EndedInOutboxAsync(caseId));
        }
    }

    [Fact]
    public async Task A_repatriation_ends_captivity_in_the_chain_and_tells_intake_once()
    {
        var caseId = await custody.FreeToGoAsync();
        var request = Repatriation(caseId);
        request.Note = "handed to the KP Red Cross";

        var done = await custody.Coordinator.RequestRepatriationAsync(request);

        Assert.False(done.Replayed);
        Assert.Equal(CustodyState.Repatriated, done.Record.State);
        Assert.Equal(request.RepatriatedAt, done.Record.StateSince);
        Assert.Equal(5, done.Event.Sequence); // after captured, admitted, the assessment and the wish
        Assert.Equal(done.Event.Hash, done.Record.HeadHash);
        Assert.Contains("to KP through the ICRC at a border crossing", done.Event.Note);
        // Medical did not answer (no address here): the override stands in the chain with what medical said.
        Assert.Contains("fitness for REPATRIATION: medical unavailable", done.Event.Note);
        Assert.Contains("overridden: " + Override, done.Event.Note);
        Assert.Contains("handed to the KP Red Cross", done.Event.Note);

        var ended = await custody.Ended.WaitForAsync<CaptivityEnded>(e => e.CaseId == caseId, "CaptivityEnded");
        Assert.Equal("REPATRIATED", ended.Way);
        Assert.Equal("KP", ended.ToState);
        Assert.Equal(request.RepatriatedAt.ToDateTimeOffset(), ended.EndedAt);

        // A retry replays the first answer; nothing more is written or published.
        var retry = await custody.Coordinator.RequestRepatriationAsync(request);
        Assert.True(retry.Replayed);
        Assert.Equal(done.Event.Hash, retry.Event.Hash);
        var reused = request.Clone();
        reused.ToState = "CN";
        Assert.Equal(StatusCode.AlreadyExists, (await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(reused))).StatusCode);
        Assert.Equal(5, await custody.EventCountAsync(caseId)); // captured, admitted, assessed, wish, repatriated
        Assert.Equal(1, await custody.EndedInOutboxAsync(caseId));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(custody.Ended.Of<CaptivityEnded>(), e => e.CaseId == caseId);

        // Captivity ended: a second repatriation is refused.
        var again = await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(Repatriation(caseId)));
        RpcAssert.RuleViolation(again, "CAPTIVITY_ENDED", $"cases/{caseId}");
    }

    [Fact]
    public async Task Without_an_answer_from_medical_a_repatriation_needs_an_override_reason_but_the_hold_is_answered_first()
    {
        var free = await custody.FreeToGoAsync();
        var request = Repatriation(free);
        request.FitnessOverrideReason = "";
        var unavailable = await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(request));
        Assert.Equal(StatusCode.Unavailable, unavailable.StatusCode);
        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(free)).State);
        Assert.Equal(0, await custody.EndedInOutboxAsync(free));

        // A person on hold is refused for the hold, without the question to medical.
        var held = await custody.HeldAsync();
        var onHold = Repatriation(held);
        onHold.FitnessOverrideReason = "";
        RpcAssert.RuleViolation(await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(onHold)), "NON_REFOULEMENT_HOLD", $"cases/{held}");
    }

    [Fact]
    public async Task Repatriation_to_the_detaining_state_or_before_the_current_state_is_refused()
    {
        var caseId = await custody.FreeToGoAsync();
        var home = Repatriation(caseId);
        home.ToState = "UA";
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(home)), "to_state");

        var early = Repatriation(caseId);
        early.RepatriatedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(-1));
        RpcAssert.RuleViolation(await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(early)), "EVENT_BEFORE_CURRENT_STATE", $"cases/{caseId}");

        var beforeCapture = Repatriation(caseId);
        beforeCapture.RepatriatedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-1));
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(beforeCapture)), "repatriated_at");
        Assert.Equal(4, await custody.EventCountAsync(caseId));
    }

    [Fact]
    public async Task Only_a_coordinator_repatriates()
    {
        var caseId = await custody.FreeToGoAsync();
        foreach (var role in new[] { RegistryRoles.Custodian, RegistryRoles.IcrcDelegate, RegistryRoles.Auditor, RegistryRoles.Partner })
        {
            var client = new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", role));
            var denied = await ReturnsAssert.RefusedAsync(client.RequestRepatriationAsync(Repatriation(caseId)));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        }

        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
    }

    public static TheoryData<string, Action<RequestRepatriationRequest>> BadRepatriations => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "case_id", r => r.CaseId = "RC-000031" },
        { "repatriated_at", r => r.RepatriatedAt = null },
        { "repatriated_at", r => r.RepatriatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "to_state", r => r.ToState = "" },
        { "to_state", r => r.ToState = "North Korea" },
        { "to_state", r => r.ToState = "ZZ" },
        { "via", r => r.Via = " " },
        { "via", r => r.Via = new string('v', 201) },
        { "via", r => r.Via = "border\ncrossing" },
        { "note", r => r.Note = new string('n', 301) },
        { "note", r => r.Note = "handed\u2028over" },
        { "fitness_override_reason", r => r.FitnessOverrideReason = new string('o', 301) },
        { "fitness_override_reason", r => r.FitnessOverrideReason = "safety\u202Ereversed" },
    };

    [Theory]
    [MemberData(nameof(BadRepatriations))]
    public async Task A_bad_repatriation_names_the_field_and_changes_nothing(string field, Action<RequestRepatriationRequest> spoil)
    {
        var caseId = await custody.FreeToGoAsync();
        var request = Repatriation(caseId);
        spoil(request);
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Coordinator.RequestRepatriationAsync(request)), field);
        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
        Assert.Equal(4, await custody.EventCountAsync(caseId));
    }
}
