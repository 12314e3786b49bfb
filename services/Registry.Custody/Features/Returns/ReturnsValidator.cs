using Registry.Custody.Domain;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;
using Facility = Registry.Custody.Domain.Facility;
using ReturnRisk = Registry.Custody.Domain.ReturnRisk;
using ReturnRiskAssessment = Registry.Custody.Domain.ReturnRiskAssessment;
using ReturnWish = Registry.Custody.Domain.ReturnWish;
using ReturnWishRecord = Registry.Custody.Domain.ReturnWishRecord;
using ThirdStateTransfer = Registry.Custody.Domain.ThirdStateTransfer;

namespace Registry.Custody.Features.Returns;

/// <summary>A validated risk assessment: the typed command <see cref="AssessReturnRiskHandler"/> takes.</summary>
public sealed record ReturnRiskEntry(IdempotencyKey Key, Guid CaseId, ReturnRisk Level, string Grounds, DateTimeOffset AssessedAt, string AssessedBy);

/// <summary>A validated wish about return.</summary>
public sealed record ReturnWishEntry(IdempotencyKey Key, Guid CaseId, ReturnWish Wish, DateTimeOffset TakenAt, string TakenBy, string? Note);

/// <summary>A validated repatriation.</summary>
public sealed record RepatriationCommand(
    IdempotencyKey Key, Guid CaseId, DateTimeOffset RepatriatedAt, string ToState, string Via, string? Note, string? FitnessOverrideReason);

/// <summary>
/// What the request said of the receiving state's Art. 12(2) assurance, each part well-formed where given. Parts missing
/// are not bad input but a missing assurance: the handler refuses THIRD_STATE_NOT_ASSURED naming them, after the
/// record's own rules (a person on hold cannot go whatever the assurance).
/// </summary>
public sealed record StatedAssurance(bool Given, bool PartyToConvention, string? WillingnessAndAbility, string? AssuredBy, DateTimeOffset? AssuredAt)
{
    /// <summary>What the assurance lacks, in the contract's field names; empty when complete.</summary>
    public IReadOnlyList<string> Missing()
    {
        if (!Given)
        {
            return ["assurance (the whole Art. 12(2) assurance)"];
        }

        var missing = new List<string>();
        if (!PartyToConvention)
        {
            missing.Add("assurance.party_to_convention (the receiving state must be a party to the Convention)");
        }

        if (WillingnessAndAbility is null)
        {
            missing.Add("assurance.willingness_and_ability (how its willingness and ability to apply the Convention was ascertained)");
        }

        if (AssuredBy is null)
        {
            missing.Add("assurance.assured_by");
        }

        if (AssuredAt is null)
        {
            missing.Add("assurance.assured_at");
        }

        return missing;
    }

    public Art12Assurance Complete() => new(PartyToConvention, WillingnessAndAbility!, AssuredBy!, AssuredAt!.Value);
}

/// <summary>A validated third-state transfer.</summary>
public sealed record ThirdStateCommand(
    IdempotencyKey Key, Guid CaseId, Facility Receiving, string ReceivingAuthority, DateTimeOffset TransferredAt,
    StatedAssurance Assurance, string? Note, string? FitnessOverrideReason);

/// <summary>Checks the non-refoulement, repatriation and third-state requests, naming every bad field at once.</summary>
public static class ReturnsValidator
{
    /// <summary>The caller's own note on a return, and an override reason: short enough that the event's composed note fits.</summary>
    public const int NoteMaxLength = 300;
    public const int OverrideReasonMaxLength = 300;
    public const int ViaMaxLength = 200;

    public static ReturnRiskEntry Validate(AssessReturnRiskRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var level = errors.Enum("level", request.Level, required: true);
        var grounds = errors.Text("grounds", request.Grounds, ReturnRiskAssessment.GroundsMaxLength, required: true);
        var assessedAt = errors.PastTimestamp("assessed_at", request.AssessedAt, now, required: true);
        var assessedBy = errors.Text("assessed_by", request.AssessedBy, ReturnRiskAssessment.AssessedByMaxLength, required: true);
        errors.ThrowIfAny();
        return new ReturnRiskEntry(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, (ReturnRisk)(int)level!.Value,
            grounds!, assessedAt!.Value, assessedBy!);
    }

    public static ReturnWishEntry Validate(RecordReturnWishRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var wish = errors.Enum("wish", request.Wish, required: true);
        var takenAt = errors.PastTimestamp("taken_at", request.TakenAt, now, required: true);
        var takenBy = errors.Text("taken_by", request.TakenBy, ReturnWishRecord.TakenByMaxLength, required: true);
        var note = errors.Text("note", request.Note, ReturnWishRecord.NoteMaxLength, required: false);
        errors.ThrowIfAny();
        return new ReturnWishEntry(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, (ReturnWish)(int)wish!.Value,
            takenAt!.Value, takenBy!, note);
    }

    public static RepatriationCommand Validate(RequestRepatriationRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var at = errors.PastTimestamp("repatriated_at", request.RepatriatedAt, now, required: true);
        var toState = errors.CountryCode("to_state", request.ToState, required: true);
        var via = errors.Text("via", request.Via, ViaMaxLength, required: true);
        var note = errors.Text("note", request.Note, NoteMaxLength, required: false);
        var overrideReason = errors.Text("fitness_override_reason", request.FitnessOverrideReason, OverrideReasonMaxLength, required: false);
        errors.ThrowIfAny();
        return new RepatriationCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, at!.Value, toState!, via!, note, overrideReason);
    }

    public static ThirdStateCommand Validate(TransferToThirdStateRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var state = errors.CountryCode("receiving_state", request.ReceivingState, required: true);
        var receiving = Records.FacilityInput.Read(errors, "receiving_place", request.ReceivingPlace, "the place the person is handed over to");
        if (receiving?.Country is { } country && state is not null && country != state)
        {
            errors.Add("receiving_place.country", $"must be receiving_state ({state}) or left empty: the place lies in the receiving state");
        }

        var place = receiving is null || state is null ? null : receiving with { Country = state };

        var authority = errors.Text("receiving_authority", request.ReceivingAuthority, CustodyRecord.AgencyMaxLength, required: true);
        var at = errors.PastTimestamp("transferred_at", request.TransferredAt, now, required: true);
        var assurance = new StatedAssurance(false, false, null, null, null);
        if (request.Assurance is { } a)
        {
            var willingness = errors.Text("assurance.willingness_and_ability", a.WillingnessAndAbility, ThirdStateTransfer.WillingnessMaxLength, required: false);
            var assuredBy = errors.Text("assurance.assured_by", a.AssuredBy, ThirdStateTransfer.AssuredByMaxLength, required: false);
            var assuredAt = errors.PastTimestamp("assurance.assured_at", a.AssuredAt, now, required: false);
            if (assuredAt is { } given && at is { } transferred && given > transferred)
            {
                errors.Add("assurance.assured_at", "must not be after transferred_at: the receiving state's willingness and ability is ascertained before the transfer (GC III Art. 12(2))");
            }

            assurance = new StatedAssurance(true, a.PartyToConvention, willingness, assuredBy, assuredAt);
        }

        var note = errors.Text("note", request.Note, NoteMaxLength, required: false);
        var overrideReason = errors.Text("fitness_override_reason", request.FitnessOverrideReason, OverrideReasonMaxLength, required: false);
        errors.ThrowIfAny();
        return new ThirdStateCommand(IdempotencyKey.Of(requestId!.Value, request), caseId!.Value, place!, authority!, at!.Value,
            assurance, note, overrideReason);
    }
}
