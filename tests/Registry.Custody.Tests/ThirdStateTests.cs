using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using static Registry.Custody.Tests.ReturnsFixture;

namespace Registry.Custody.Tests;

/// <summary>TransferToThirdState: the Art. 12(2) assurance and the non-refoulement hold, end to end through the RPC.</summary>
[Collection(ReturnsCollection.Name)]
public sealed class ThirdStateTests(ReturnsFixture custody)
{
    [Fact]
    public async Task With_the_assurance_the_person_goes_to_the_third_state_and_intake_is_told_once()
    {
        var caseId = await custody.FreeToGoAsync();
        var request = ThirdState(caseId);

        var done = await custody.Coordinator.TransferToThirdStateAsync(request);

        Assert.False(done.Replayed);
        Assert.Equal(CustodyState.TransferredToThirdState, done.Record.State);
        Assert.Equal(CustodyEventKind.TransferredToThirdState, done.Event.Kind);
        Assert.Equal(new Facility { Name = "Reception centre", Locality = "Seoul", Country = "KR" }, done.Event.Facility);
        Assert.Equal("KR Ministry of Justice", done.Event.CustodianAgency);
        Assert.Contains("Art. 12 assurance by Ministry of Foreign Affairs, note verbale 12/2025", done.Event.Note);
        Assert.Contains("fitness for TRANSFER: medical unavailable", done.Event.Note);
        Assert.Equal(done.Event.Sequence, done.Transfer.EventSequence);
        Assert.Equal("KR", done.Transfer.ReceivingState);
        Assert.Equal(request.Assurance, done.Transfer.Assurance);
        Assert.Equal("UA-COORD", done.Transfer.RecordedByAgency);
        // The receiving state answers for him now: the record's place and custodian are the receiving ones, not Kyiv / UA-SBU.
        Assert.Equal((done.Event.Facility, "KR Ministry of Justice"), (done.Record.Facility, done.Record.CustodianAgency));
        var shown = await custody.RecordAsync(caseId);
        Assert.Equal((new Facility { Name = "Reception centre", Locality = "Seoul", Country = "KR" }, "KR Ministry of Justice", CustodyState.TransferredToThirdState),
            (shown.Facility, shown.CustodianAgency, shown.State));
        var verified = await custody.Coordinator.VerifyCustodyChainAsync(new VerifyCustodyChainRequest { CaseId = caseId.ToString() });
        Assert.True(verified.Intact, verified.FirstBreak?.Detail);

        var ended = await custody.Ended.WaitForAsync<CaptivityEnded>(e => e.CaseId == caseId, "CaptivityEnded");
        Assert.Equal("TRANSFERRED_TO_THIRD_STATE", ended.Way);
        Assert.Equal("KR", ended.ToState);

        var retry = await custody.Coordinator.TransferToThirdStateAsync(request);
        Assert.True(retry.Replayed);
        Assert.Equal(done.Event.Hash, retry.Event.Hash);
        Assert.Equal(done.Transfer, retry.Transfer);
        Assert.Equal(5, await custody.EventCountAsync(caseId)); // captured, admitted, assessed, wish, transferred
        Assert.Equal(1, await custody.EndedInOutboxAsync(caseId));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(custody.Ended.Of<CaptivityEnded>(), e => e.CaseId == caseId);
    }

    public static TheoryData<string, Action<TransferToThirdStateRequest>> Unassured => new()
    {
        { "assurance (the whole", r => r.Assurance = null },
        { "assurance.party_to_convention", r => r.Assurance.PartyToConvention = false },
        { "assurance.willingness_and_ability", r => r.Assurance.WillingnessAndAbility = "" },
        { "assurance.assured_by", r => r.Assurance.AssuredBy = " " },
        { "assurance.assured_at", r => r.Assurance.AssuredAt = null },
    };

    [Theory]
    [MemberData(nameof(Unassured))]
    public async Task Without_the_whole_assurance_the_transfer_is_refused_naming_what_is_missing(string missing, Action<TransferToThirdStateRequest> spoil)
    {
        var caseId = await custody.FreeToGoAsync();
        var request = ThirdState(caseId);
        spoil(request);

        var refused = await ReturnsAssert.RefusedAsync(custody.Coordinator.TransferToThirdStateAsync(request));

        RpcAssert.RuleViolation(refused, "THIRD_STATE_NOT_ASSURED", $"cases/{caseId}");
        Assert.Contains(missing, refused.Status.Detail);
        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
        Assert.Equal(0, await custody.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.ThirdStateTransfers, t => t.CaseId == caseId)));
        Assert.Equal(0, await custody.EndedInOutboxAsync(caseId));
    }

    [Fact]
    public async Task The_hold_refuses_a_third_state_transfer_even_with_the_assurance()
    {
        var caseId = await custody.HeldAsync();
        await custody.Delegate.RecordReturnWishAsync(Wish(caseId, ReturnWish.DoesNotWishToReturn));
        await custody.Coordinator.AssessReturnRiskAsync(Assessment(caseId, ReturnRisk.Undetermined));

        var refused = await ReturnsAssert.RefusedAsync(custody.Coordinator.TransferToThirdStateAsync(ThirdState(caseId)));

        RpcAssert.RuleViolation(refused, "NON_REFOULEMENT_HOLD", $"cases/{caseId}");
        Assert.Contains("assessed undetermined", refused.Status.Detail);
        // The hold is answered before the assurance: a person on hold cannot go whatever the receiving state assures.
        var unassured = ThirdState(caseId);
        unassured.Assurance = null;
        RpcAssert.RuleViolation(await ReturnsAssert.RefusedAsync(custody.Coordinator.TransferToThirdStateAsync(unassured)), "NON_REFOULEMENT_HOLD", $"cases/{caseId}");
        Assert.Equal(4, await custody.EventCountAsync(caseId));
    }

    [Fact]
    public async Task The_detaining_state_is_not_a_third_state_and_only_a_coordinator_transfers()
    {
        var caseId = await custody.FreeToGoAsync();
        var home = ThirdState(caseId);
        home.ReceivingState = "UA";
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Coordinator.TransferToThirdStateAsync(home)), "receiving_state");

        var custodian = new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", RegistryRoles.Custodian));
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(custodian.TransferToThirdStateAsync(ThirdState(caseId)))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await ReturnsAssert.RefusedAsync(custody.Delegate.TransferToThirdStateAsync(ThirdState(caseId)))).StatusCode);
        Assert.Equal(4, await custody.EventCountAsync(caseId));
    }

    public static TheoryData<string, Action<TransferToThirdStateRequest>> BadTransfers => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "case_id", r => r.CaseId = "42" },
        { "receiving_state", r => r.ReceivingState = "" },
        { "receiving_state", r => r.ReceivingState = "kr" },
        { "receiving_place", r => r.ReceivingPlace = null },
        { "receiving_place.name", r => r.ReceivingPlace.Name = "" },
        { "receiving_place.locality", r => r.ReceivingPlace.Locality = "Seoul\u2029" + "Gangnam" },
        { "receiving_place.country", r => r.ReceivingPlace.Country = "JP" },
        { "receiving_authority", r => r.ReceivingAuthority = "" },
        { "receiving_authority", r => r.ReceivingAuthority = new string('a', 201) },
        { "transferred_at", r => r.TransferredAt = null },
        { "transferred_at", r => r.TransferredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(3)) },
        { "assurance.willingness_and_ability", r => r.Assurance.WillingnessAndAbility = new string('w', 1001) },
        { "assurance.assured_by", r => r.Assurance.AssuredBy = "MFA\nnote" },
        { "assurance.assured_at", r => r.Assurance.AssuredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(3)) },
        // The assurance comes before the transfer (Art. 12(2): the detaining power satisfies itself first).
        { "assurance.assured_at", r => r.Assurance.AssuredAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddDays(41)) },
        { "note", r => r.Note = new string('n', 301) },
        { "fitness_override_reason", r => r.FitnessOverrideReason = "safety\u200Bfirst" },
    };

    [Theory]
    [MemberData(nameof(BadTransfers))]
    public async Task A_bad_transfer_names_the_field_and_changes_nothing(string field, Action<TransferToThirdStateRequest> spoil)
    {
        var caseId = await custody.FreeToGoAsync();
        var request = ThirdState(caseId);
        spoil(request);
        ReturnsAssert.BadField(await ReturnsAssert.RefusedAsync(custody.Coordinator.TransferToThirdStateAsync(request)), field);
        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
        Assert.Equal(4, await custody.EventCountAsync(caseId));
    }
}
