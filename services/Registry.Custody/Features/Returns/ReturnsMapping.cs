using Google.Protobuf.WellKnownTypes;
using Registry.Custody.Domain;
using ProtoAssessment = Registry.Protos.Custody.V1.ReturnRiskAssessment;
using ProtoAssurance = Registry.Protos.Custody.V1.ThirdStateAssurance;
using ProtoReturnRisk = Registry.Protos.Custody.V1.ReturnRisk;
using ProtoReturnWish = Registry.Protos.Custody.V1.ReturnWish;
using ProtoTransfer = Registry.Protos.Custody.V1.ThirdStateTransfer;
using ProtoWish = Registry.Protos.Custody.V1.ReturnWishRecord;

namespace Registry.Custody.Features.Returns;

/// <summary>From the non-refoulement history and a third-state transfer to the contract. The enums share their numbers with the contract's.</summary>
public static class ReturnsMapping
{
    public static ProtoAssessment ToProto(this ReturnRiskAssessment a) => new()
    {
        AssessmentId = a.AssessmentId.ToString(),
        CaseId = a.CaseId.ToString(),
        Level = (ProtoReturnRisk)(int)a.Level,
        Grounds = a.Grounds,
        AssessedAt = Timestamp.FromDateTimeOffset(a.AssessedAt),
        AssessedBy = a.AssessedBy,
        AssessedByAgency = a.AssessedByAgency,
        AssessedByClient = a.AssessedByClient,
        RecordedAt = Timestamp.FromDateTimeOffset(a.RecordedAt),
    };

    public static ProtoWish ToProto(this ReturnWishRecord w) => new()
    {
        WishId = w.WishId.ToString(),
        CaseId = w.CaseId.ToString(),
        Wish = (ProtoReturnWish)(int)w.Wish,
        TakenAt = Timestamp.FromDateTimeOffset(w.TakenAt),
        TakenBy = w.TakenBy,
        TakenByAgency = w.TakenByAgency,
        TakenByClient = w.TakenByClient,
        Note = w.Note ?? "",
        RecordedAt = Timestamp.FromDateTimeOffset(w.RecordedAt),
    };

    public static ProtoTransfer ToProto(this ThirdStateTransfer t) => new()
    {
        CaseId = t.CaseId.ToString(),
        EventSequence = t.EventSequence,
        ReceivingState = t.ReceivingState,
        ReceivingAuthority = t.ReceivingAuthority,
        Assurance = new ProtoAssurance
        {
            PartyToConvention = t.PartyToConvention,
            WillingnessAndAbility = t.WillingnessAndAbility,
            AssuredBy = t.AssuredBy,
            AssuredAt = Timestamp.FromDateTimeOffset(t.AssuredAt),
        },
        RecordedByAgency = t.RecordedByAgency,
        RecordedByClient = t.RecordedByClient,
        RecordedAt = Timestamp.FromDateTimeOffset(t.RecordedAt),
    };
}
