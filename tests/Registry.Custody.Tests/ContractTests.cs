using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Timeline;
using Registry.ServiceDefaults.Grpc;
using Registry.Testing;
using ProtoEventKind = Registry.Protos.Custody.V1.CustodyEventKind;
using ProtoState = Registry.Protos.Custody.V1.CustodyState;

namespace Registry.Custody.Tests;

/// <summary>custody.proto and the code say the same: the limits its comments state, the enums the mappings translate.</summary>
public sealed class ContractTests
{
    [Fact]
    public void The_limits_custody_proto_states_are_the_ones_the_code_enforces()
    {
        ContractChecks.AssertStatedLimits("protos/registry/custody/v1/custody.proto", new Dictionary<string, int>
        {
            ["AdmitToFacilityRequest.custodian_agency"] = CustodyRecord.AgencyMaxLength,
            ["AdmitToFacilityRequest.note"] = CustodyEvent.NoteMaxLength,
            ["Facility.name"] = Facility.NameMaxLength,
            ["Facility.locality"] = Facility.LocalityMaxLength,
            ["ListCustodyEventsRequest.page_size"] = PageTokens.MaxPageSize,
            // Non-refoulement, repatriation, third-state transfer.
            ["AssessReturnRiskRequest.grounds"] = ReturnRiskAssessment.GroundsMaxLength,
            ["AssessReturnRiskRequest.assessed_by"] = ReturnRiskAssessment.AssessedByMaxLength,
            ["ListReturnRiskAssessmentsRequest.page_size"] = PageTokens.MaxPageSize,
            ["RecordReturnWishRequest.taken_by"] = ReturnWishRecord.TakenByMaxLength,
            ["RecordReturnWishRequest.note"] = ReturnWishRecord.NoteMaxLength,
            ["ListReturnWishesRequest.page_size"] = PageTokens.MaxPageSize,
            ["RequestRepatriationRequest.note"] = Features.Returns.ReturnsValidator.NoteMaxLength,
            ["RequestRepatriationRequest.fitness_override_reason"] = Features.Returns.ReturnsValidator.OverrideReasonMaxLength,
            ["ThirdStateAssurance.willingness_and_ability"] = ThirdStateTransfer.WillingnessMaxLength,
            ["ThirdStateAssurance.assured_by"] = ThirdStateTransfer.AssuredByMaxLength,
            ["TransferToThirdStateRequest.receiving_authority"] = CustodyRecord.AgencyMaxLength,
            ["TransferToThirdStateRequest.note"] = Features.Returns.ReturnsValidator.NoteMaxLength,
            // Interviews and ICRC visits.
            ["RecordInterviewRequest.duration_minutes"] = Interview.MaxDurationMinutes,
            ["RecordInterviewRequest.interviewer"] = Interview.InterviewerMaxLength,
            ["RecordInterviewRequest.present"] = Interview.MaxPresent,
            ["RecordInterviewRequest.override_reason"] = Interview.OverrideReasonMaxLength,
            ["InterviewParticipant.name"] = InterviewParticipant.NameMaxLength,
            ["InterviewParticipant.agency"] = InterviewParticipant.AgencyMaxLength,
            ["InterviewParticipant.function"] = InterviewParticipant.FunctionMaxLength,
            ["ListInterviewsRequest.page_size"] = PageTokens.MaxPageSize,
            ["RecordIcrcVisitRequest.visiting_agency"] = CustodyRecord.AgencyMaxLength,
            ["RecordIcrcVisitRequest.delegates"] = IcrcVisit.MaxDelegates,
            ["RecordIcrcVisitRequest.case_ids"] = Features.IcrcVisits.IcrcVisitValidator.MaxCaseIds,
            ["ListIcrcVisitsRequest.page_size"] = PageTokens.MaxPageSize,
            // Transfers.
            ["TransferCustodyRequest.destination"] = Facility.NameMaxLength,
            ["TransferCustodyRequest.receiving_agency"] = CustodyRecord.AgencyMaxLength,
            ["TransferCustodyRequest.reason"] = Features.Transfers.TransferValidator.ReasonMaxLength,
            ["TransferCustodyRequest.override_reason"] = Features.Transfers.TransferValidator.ReasonMaxLength,
            ["ConfirmTransferArrivalRequest.note"] = CustodyEvent.NoteMaxLength,
            // Escape, recapture, release.
            ["RecordEscapeRequest.circumstances"] = CustodyEvent.NoteMaxLength,
            ["RecordRecaptureRequest.custodian_agency"] = CustodyRecord.AgencyMaxLength,
            ["RecordRecaptureRequest.note"] = CustodyEvent.NoteMaxLength,
            ["ReleaseFromCustodyRequest.note"] = CustodyEvent.NoteMaxLength,
            // Exchange lists (part E).
            ["ExchangeCounterpart.authority"] = ExchangeList.AuthorityMaxLength,
            ["DraftExchangeListRequest.note"] = ExchangeList.NoteMaxLength,
            ["DraftExchangeListRequest.case_ids"] = ExchangeList.MaxEntries,
            ["AddToExchangeListRequest.case_ids"] = ExchangeList.MaxEntries,
            ["RemoveFromExchangeListRequest.case_ids"] = ExchangeList.MaxEntries,
            ["CancelExchangeListRequest.reason"] = ExchangeList.ReasonMaxLength,
            ["ExecuteExchangeListRequest.fitness_override_reason"] = Features.Transfers.TransferValidator.ReasonMaxLength,
            ["ListExchangeListsRequest.page_size"] = PageTokens.MaxPageSize,
        });
    }

    [Fact]
    public void Custody_enums_map_to_the_contract_value_of_the_same_name()
    {
        ContractChecks.AssertAligned<CustodyState, ProtoState>();
        ContractChecks.AssertAligned<CustodyEventKind, ProtoEventKind>();
        ContractChecks.AssertAligned<ReturnRisk, Registry.Protos.Custody.V1.ReturnRisk>();
        ContractChecks.AssertAligned<ReturnWish, Registry.Protos.Custody.V1.ReturnWish>();
        Assert.All(Enum.GetValues<CustodyState>(), s => Assert.Equal(s.ToString(), s.ToProto().ToString()));
        Assert.All(Enum.GetValues<CustodyEventKind>(), k => Assert.Equal(k.ToString(), k.ToProto().ToString()));
    }
}
