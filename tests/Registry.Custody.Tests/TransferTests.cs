using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Custody.V1;
using Registry.Protos.Medical.V1;
using Registry.Testing;
using static Registry.Custody.Tests.MedicalLinkFixture;

namespace Registry.Custody.Tests;

/// <summary>Transfers between places of internment and agencies (GC III Art. 46-48): the start, the arrival confirmed by the receiving custodian, the event for intake.</summary>
[Collection(MedicalLinkCollection.Name)]
public sealed class TransferTests(MedicalLinkFixture custody)
{
    private Task<int> TransferredEventsAsync(Guid caseId) =>
        custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Payload.Contains(caseId.ToString()) && m.MessageType.Contains("CustodyTransferred")));

    [Fact]
    public async Task A_fit_person_is_transferred_to_another_agency_which_confirms_the_arrival_and_intake_hears_of_it_once()
    {
        var caseId = await custody.HeldAsync();
        var assessment = await custody.AssessAsync(caseId, FitnessOutcome.Fit);

        var started = await custody.Custodian().TransferCustodyAsync(ToLviv(caseId));

        Assert.False(started.Replayed);
        Assert.Equal(CustodyState.InTransfer, started.Record.State);
        Assert.Equal("POW camp No. 1", started.Record.TransferTo.Name);
        Assert.Equal("UA-CCHPW", started.Record.TransferToAgency);
        Assert.Equal("SBU detention facility", started.Record.Facility.Name);
        Assert.Equal("UA-SSO", started.Record.CustodianAgency);
        Assert.Equal(CustodyEventKind.TransferStarted, started.Event.Kind);
        Assert.Equal("POW camp No. 1", started.Event.Facility.Name);
        Assert.Equal("UA-CCHPW", started.Event.CustodianAgency);
        Assert.StartsWith("moved away from the combat zone (GC III Art. 19); fitness for TRANSFER: FIT", started.Event.Note);
        Assert.Contains($"(assessment {assessment.AssessmentId})", started.Event.Note);
        // The departure publishes nothing: the person is at no new place yet.
        Assert.Equal(0, await TransferredEventsAsync(caseId));

        var arrived = await custody.Custodian("UA-CCHPW").ConfirmTransferArrivalAsync(Arrival(caseId));

        Assert.Equal(CustodyState.Held, arrived.Record.State);
        Assert.Equal("POW camp No. 1", arrived.Record.Facility.Name);
        Assert.Equal("Lviv region", arrived.Record.Facility.Locality);
        Assert.Equal("UA-CCHPW", arrived.Record.CustodianAgency);
        Assert.Null(arrived.Record.TransferTo);
        Assert.Equal("", arrived.Record.TransferToAgency);
        Assert.Equal(DepartedAt.AddHours(9), arrived.Record.StateSince.ToDateTimeOffset());
        Assert.Equal(CustodyEventKind.TransferArrived, arrived.Event.Kind);
        Assert.Equal(4, arrived.Record.EventCount);

        var transferred = await custody.Events.WaitForAsync<CustodyTransferred>(e => e.CaseId == caseId, "CustodyTransferred");
        Assert.Equal(DepartedAt.AddHours(9), transferred.TransferredAt);
        Assert.Equal("SBU detention facility, Kyiv, UA", transferred.FromFacility);
        Assert.Equal("POW camp No. 1, Lviv region, UA", transferred.ToFacility);
        Assert.Null(transferred.ToPower);

        // The arrival retried replays; confirmed again by a new request it is refused: the person is held, not on the way.
        var request = Arrival(caseId);
        var twice = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian("UA-CCHPW").ConfirmTransferArrivalAsync(request).ResponseAsync);
        RpcAssert.RuleViolation(twice, "CUSTODY_ILLEGAL_TRANSITION", $"cases/{caseId}");
        Assert.Equal(1, await TransferredEventsAsync(caseId));
    }

    [Fact]
    public async Task A_retried_transfer_and_arrival_replay_their_first_answers_and_ask_medical_once()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.FitWithConditions);
        var transfer = ToLviv(caseId);

        var first = await custody.Custodian().TransferCustodyAsync(transfer);
        var retry = await custody.Custodian().TransferCustodyAsync(transfer);

        Assert.True(retry.Replayed);
        Assert.Equal(first.Event.Hash, retry.Event.Hash);
        // The verdict, not the conditions' text: the timeline is read by roles that may not ask medical (Art. 30-31).
        Assert.Contains("fitness for TRANSFER: FIT_WITH_CONDITIONS until", first.Event.Note);
        Assert.DoesNotContain("seated", first.Event.Note);
        Assert.Single(await custody.FitnessQuestionsAsync(caseId));

        var reused = transfer.Clone();
        reused.Reason = "another reason";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(reused).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var arrival = Arrival(caseId);
        var arrived = await custody.Custodian("UA-CCHPW").ConfirmTransferArrivalAsync(arrival);
        var again = await custody.Custodian("UA-CCHPW").ConfirmTransferArrivalAsync(arrival);
        Assert.True(again.Replayed);
        Assert.Equal(arrived.Event.Hash, again.Event.Hash);
        Assert.Equal(4, (await custody.RecordAsync(caseId)).EventCount);
        Assert.Equal(1, await TransferredEventsAsync(caseId));
    }

    [Fact]
    public async Task Only_the_receiving_agency_confirms_the_arrival()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);
        await custody.Custodian().TransferCustodyAsync(ToLviv(caseId));

        // The sending agency, in its own name: not the receiving agency.
        var sender = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian("UA-SSO").ConfirmTransferArrivalAsync(Arrival(caseId, "UA-SSO")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, sender.StatusCode);
        Assert.Equal("NOT_RECEIVING_AGENCY", sender.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Contains("UA-CCHPW", sender.Status.Detail);

        // Another agency naming the receiving agency: the access table lets a custodian act only in its own agency's name.
        var impostor = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian("UA-SBU").ConfirmTransferArrivalAsync(Arrival(caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, impostor.StatusCode);
        Assert.Equal("AGENCY_MISMATCH", impostor.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        // A role other than custodian, even of the receiving agency.
        var medic = new CustodyService.CustodyServiceClient(custody.Service.As("UA-CCHPW", "medic"));
        var wrongRole = await Assert.ThrowsAsync<RpcException>(() => medic.ConfirmTransferArrivalAsync(Arrival(caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, wrongRole.StatusCode);

        var record = await custody.RecordAsync(caseId);
        Assert.Equal(CustodyState.InTransfer, record.State);
        Assert.Equal(3, record.EventCount);
        Assert.Equal(0, await TransferredEventsAsync(caseId));
    }

    [Fact]
    public async Task Only_the_current_custodian_or_the_capturing_agency_starts_a_transfer()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);

        var stranger = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian("UA-CCHPW").TransferCustodyAsync(ToLviv(caseId)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);
        Assert.Equal("NOT_OWN_AGENCY", stranger.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(CustodyState.Held, (await custody.RecordAsync(caseId)).State);
    }

    [Fact]
    public async Task A_transfer_from_any_state_but_held_is_refused_with_the_reason()
    {
        // Awaiting admission: never admitted anywhere to leave from.
        var awaiting = Guid.NewGuid();
        await custody.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = awaiting, CaseNumber = "RC-000032", FamilyName = "리", GivenNames = "", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == awaiting)), TimeSpan.FromSeconds(30), "the custody record");
        var notAdmitted = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(awaiting, "override")).ResponseAsync);
        RpcAssert.RuleViolation(notAdmitted, "CUSTODY_ILLEGAL_TRANSITION", $"cases/{awaiting}");

        // Already on the way.
        var moving = await custody.HeldAsync();
        await custody.AssessAsync(moving, FitnessOutcome.Fit);
        await custody.Custodian().TransferCustodyAsync(ToLviv(moving));
        var twice = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(moving)).ResponseAsync);
        RpcAssert.RuleViolation(twice, "CUSTODY_ILLEGAL_TRANSITION", $"cases/{moving}");
        Assert.Contains("InTransfer", twice.Status.Detail);

        // Escaped, and released (an end of captivity): the moves of the record itself, as their handlers make them.
        var escaped = await custody.HeldAsync();
        await MoveAsync(escaped, r => r.Escape(DepartedAt.AddDays(-2), "escaped during a work detail", DateTimeOffset.UtcNow));
        var fled = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(escaped, "override")).ResponseAsync);
        RpcAssert.RuleViolation(fled, "CUSTODY_ILLEGAL_TRANSITION", $"cases/{escaped}");

        var released = await custody.HeldAsync();
        await MoveAsync(released, r => r.Release(DepartedAt.AddDays(-2), "released on parole", DateTimeOffset.UtcNow));
        var ended = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(released, "override")).ResponseAsync);
        RpcAssert.RuleViolation(ended, "CAPTIVITY_ENDED", $"cases/{released}");

        // Before the current state began (the admission).
        var early = await custody.HeldAsync();
        var beforeAdmission = ToLviv(early, "override");
        beforeAdmission.DepartedAt = Timestamp.FromDateTimeOffset(AdmittedAt.AddHours(-1));
        var tooEarly = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(beforeAdmission).ResponseAsync);
        RpcAssert.RuleViolation(tooEarly, "EVENT_BEFORE_CURRENT_STATE", $"cases/{early}");

        // None of the refusals asked medical or changed a record.
        foreach (var caseId in new[] { awaiting, escaped, released, early })
        {
            Assert.Empty(await custody.FitnessQuestionsAsync(caseId));
            Assert.Equal(0, await custody.QueryAsync(db => db.Events.CountAsync(e => e.CaseId == caseId && e.Kind == Registry.Custody.Domain.CustodyEventKind.TransferStarted)));
        }
    }

    private Task<int> MoveAsync(Guid caseId, Func<Registry.Custody.Domain.CustodyRecord, Registry.Custody.Domain.CustodyEvent> move) => custody.QueryAsync(async db =>
    {
        var record = await db.Records.SingleAsync(r => r.CaseId == caseId);
        db.Events.Add(move(record));
        return await db.SaveChangesAsync();
    });

    public static TheoryData<string, Action<TransferCustodyRequest>> BadTransfers => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "destination", r => r.Destination = null },
        { "destination.name", r => r.Destination.Name = " " },
        { "destination.name", r => r.Destination.Name = new string('x', 201) },
        { "destination.name", r => r.Destination.Name = "Camp\u20287" },
        { "destination.locality", r => r.Destination.Locality = "Lviv\u200bregion" },
        { "destination.country", r => r.Destination.Country = "Ukraine" },
        { "destination.country", r => r.Destination.Country = "ZZ" },
        { "receiving_agency", r => r.ReceivingAgency = "" },
        { "receiving_agency", r => r.ReceivingAgency = "UA\nCCHPW" },
        { "departed_at", r => r.DepartedAt = null },
        { "departed_at", r => r.DepartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "departed_at", r => r.DepartedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddHours(-1)) },
        { "reason", r => r.Reason = "" },
        { "reason", r => r.Reason = new string('r', 301) },
        { "reason", r => r.Reason = "shelling\rnearby" },
        { "override_reason", r => r.OverrideReason = new string('o', 301) },
        { "override_reason", r => r.OverrideReason = "safety\u2029first" },
    };

    [Theory]
    [MemberData(nameof(BadTransfers))]
    public async Task A_bad_transfer_names_the_field_and_changes_nothing(string field, Action<TransferCustodyRequest> spoil)
    {
        var caseId = await custody.HeldAsync();
        var request = ToLviv(caseId, "the facility is under shelling");
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        var record = await custody.RecordAsync(caseId);
        Assert.Equal(CustodyState.Held, record.State);
        Assert.Equal(2, record.EventCount);
    }

    [Fact]
    public async Task A_transfer_naming_a_case_by_something_else_than_its_id_is_bad_input_and_stores_nothing()
    {
        // The row is own-agency without an agency field: the access check needs a case to look up, and a case number
        // is not one. The handler's validation names the field (INVALID_ARGUMENT), as for every other bad field.
        var request = ToLviv(Guid.NewGuid(), "the facility is under shelling");
        request.CaseId = "RC-000031";

        var error = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("case_id", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    public static TheoryData<string, Action<ConfirmTransferArrivalRequest>> BadArrivals => new()
    {
        { "request_id", r => r.RequestId = "not-a-uuid" },
        { "case_id", r => r.CaseId = "" },
        { "receiving_agency", r => r.ReceivingAgency = "" },
        { "arrived_at", r => r.ArrivedAt = null },
        { "arrived_at", r => r.ArrivedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) },
        { "note", r => r.Note = new string('n', 1001) },
        { "note", r => r.Note = "arrived\nby bus" },
    };

    [Theory]
    [MemberData(nameof(BadArrivals))]
    public async Task A_bad_arrival_names_the_field_and_changes_nothing(string field, Action<ConfirmTransferArrivalRequest> spoil)
    {
        var caseId = await custody.HeldAsync();
        await custody.Custodian().TransferCustodyAsync(ToLviv(caseId, "the facility is under shelling"));
        var request = Arrival(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian("UA-CCHPW").ConfirmTransferArrivalAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        var record = await custody.RecordAsync(caseId);
        Assert.Equal(CustodyState.InTransfer, record.State);
        Assert.Equal(3, record.EventCount);
    }

    [Fact]
    public async Task An_arrival_before_the_departure_is_refused()
    {
        var caseId = await custody.HeldAsync();
        await custody.Custodian().TransferCustodyAsync(ToLviv(caseId, "the facility is under shelling"));
        var request = Arrival(caseId);
        request.ArrivedAt = Timestamp.FromDateTimeOffset(DepartedAt.AddHours(-1));

        var refused = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian("UA-CCHPW").ConfirmTransferArrivalAsync(request).ResponseAsync);

        RpcAssert.RuleViolation(refused, "EVENT_BEFORE_CURRENT_STATE", $"cases/{caseId}");
        Assert.Equal(CustodyState.InTransfer, (await custody.RecordAsync(caseId)).State);
    }
}
