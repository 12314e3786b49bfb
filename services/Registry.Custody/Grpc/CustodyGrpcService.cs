using Grpc.Core;
using Registry.Custody.Data;
using Registry.Custody.Features.Admission;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Returns;
using Registry.Custody.Features.Timeline;
using Registry.Custody.Features.Transfers;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Grpc;

/// <summary>
/// The custody service's gRPC surface: an adapter that validates, calls the feature's handler and maps the answer.
/// Each feature's overrides are in a file of their own (CustodyGrpcService.Feature.cs).
/// </summary>
public sealed partial class CustodyGrpcService(
    CustodyDbContext db,
    AdmitToFacilityHandler admit,
    ListCustodyEventsHandler timeline,
    TimeProvider clock,
    AssessReturnRiskHandler assessReturnRisk,
    ListReturnRiskAssessmentsHandler returnRiskAssessments,
    RecordReturnWishHandler recordReturnWish,
    ListReturnWishesHandler returnWishes,
    ReturnHandler returns,
    Registry.Custody.Features.Exchanges.ExchangeListHandler exchanges,
    Registry.Custody.Features.Interviews.RecordInterviewHandler recordInterview,
    Registry.Custody.Features.Interviews.ListInterviewsHandler interviews,
    Registry.Custody.Features.IcrcVisits.RecordIcrcVisitHandler recordIcrcVisit,
    Registry.Custody.Features.IcrcVisits.ListIcrcVisitsHandler icrcVisits,
    TransferCustodyHandler transferCustody,
    ConfirmTransferArrivalHandler confirmTransferArrival,
    Registry.Custody.Features.Lifecycle.LifecycleMoveHandler lifecycle,
    VerifyCustodyChainHandler verifyChain)
    : CustodyService.CustodyServiceBase
{
    public override async Task<GetCustodyRecordResponse> GetCustodyRecord(GetCustodyRecordRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();
        var record = await db.FindRecordAsync(caseId!.Value, tracked: false, context.CancellationToken);
        var proto = await WithLastInterviewAsync(record.ToProto(), context);
        if (proto.ReturnWish != Protos.Custody.V1.ReturnWish.Unspecified && !AccessContext.Caller(context).Roles.Any(SeesReturnWish.Contains))
        {
            // The person's wish about return, taken in a private interview (GC III Art. 126), is for those who decide or
            // witness a return; the other roles see whether a hold stands, not what the person wished.
            proto.ReturnWish = Protos.Custody.V1.ReturnWish.Unspecified;
            proto.WithheldFields.Add("return_wish");
            AccessContext.Withhold(context, "return_wish");
        }

        return new GetCustodyRecordResponse { Record = proto };
    }

    /// <summary>The roles that see the person's recorded wish about return in the custody record (those ListReturnWishes' row lets read the wishes).</summary>
    private static readonly HashSet<string> SeesReturnWish = new(StringComparer.Ordinal)
    {
        RegistryRoles.Coordinator, RegistryRoles.IcrcDelegate, RegistryRoles.Auditor,
    };

    public override async Task<AdmitToFacilityResponse> AdmitToFacility(AdmitToFacilityRequest request, ServerCallContext context)
    {
        var admission = AdmissionValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await admit.HandleAsync(admission, context.CancellationToken);
        return new AdmitToFacilityResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ListCustodyEventsResponse> ListCustodyEvents(ListCustodyEventsRequest request, ServerCallContext context)
    {
        var page = await timeline.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "custody-events"), context.CancellationToken);
        var response = new ListCustodyEventsResponse { NextPageToken = page.NextPageToken };
        response.Events.AddRange(page.Items.Select(e => e.ToProto()));
        if (!AccessContext.Caller(context).Roles.Any(SeesReturnWish.Contains))
        {
            // A wish event's note says what the person wished: withheld from the roles that do not see the wish on the
            // record (GetCustodyRecord), like return_wish there. That event's hash then cannot be recomputed from this answer.
            foreach (var e in response.Events.Where(e => e.Kind == Protos.Custody.V1.CustodyEventKind.ReturnWishRecorded && e.Note != ""))
            {
                e.Note = "";
                e.WithheldFields.Add("note");
                AccessContext.Withhold(context, "return_wish");
            }
        }

        return response;
    }
}
