using Grpc.Core;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Returns;
using Registry.Custody.Features.Timeline;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Grpc;

/// <summary>Non-refoulement (GC III Art. 118), repatriation and third-state transfer (Art. 12).</summary>
public sealed partial class CustodyGrpcService
{
    public override async Task<AssessReturnRiskResponse> AssessReturnRisk(AssessReturnRiskRequest request, ServerCallContext context)
    {
        var entry = ReturnsValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await assessReturnRisk.HandleAsync(entry, AccessContext.Caller(context), context.CancellationToken);
        return new AssessReturnRiskResponse { Assessment = result.Entry.ToProto(), Record = result.Record.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ListReturnRiskAssessmentsResponse> ListReturnRiskAssessments(ListReturnRiskAssessmentsRequest request, ServerCallContext context)
    {
        var page = await returnRiskAssessments.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "return-risk-assessments"), context.CancellationToken);
        var response = new ListReturnRiskAssessmentsResponse { NextPageToken = page.NextPageToken };
        response.Assessments.AddRange(page.Items.Select(a => a.ToProto()));
        return response;
    }

    public override async Task<RecordReturnWishResponse> RecordReturnWish(RecordReturnWishRequest request, ServerCallContext context)
    {
        var entry = ReturnsValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await recordReturnWish.HandleAsync(entry, AccessContext.Caller(context), context.CancellationToken);
        return new RecordReturnWishResponse { Wish = result.Entry.ToProto(), Record = result.Record.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ListReturnWishesResponse> ListReturnWishes(ListReturnWishesRequest request, ServerCallContext context)
    {
        var page = await returnWishes.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "return-wishes"), context.CancellationToken);
        var response = new ListReturnWishesResponse { NextPageToken = page.NextPageToken };
        response.Wishes.AddRange(page.Items.Select(w => w.ToProto()));
        return response;
    }

    public override async Task<RequestRepatriationResponse> RequestRepatriation(RequestRepatriationRequest request, ServerCallContext context)
    {
        var command = ReturnsValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await returns.RepatriateAsync(command, context.CancellationToken);
        return new RequestRepatriationResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<TransferToThirdStateResponse> TransferToThirdState(TransferToThirdStateRequest request, ServerCallContext context)
    {
        var command = ReturnsValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await returns.TransferToThirdStateAsync(command, AccessContext.Caller(context), context.CancellationToken);
        return new TransferToThirdStateResponse
        {
            Record = result.Record.ToProto(),
            Event = result.Event.ToProto(),
            Transfer = result.Transfer?.ToProto(),
            Replayed = result.Replayed,
        };
    }
}
