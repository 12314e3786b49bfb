using Grpc.Core;
using Registry.Custody.Features.Exchanges;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Grpc;

/// <summary>Exchange lists for prisoner swaps (<see cref="ExchangeListHandler"/>): validate, call the handler, map the answer.</summary>
public sealed partial class CustodyGrpcService
{
    public override async Task<DraftExchangeListResponse> DraftExchangeList(DraftExchangeListRequest request, ServerCallContext context)
    {
        var view = await exchanges.DraftAsync(ExchangeListValidator.Validate(request), AccessContext.Caller(context), context.CancellationToken);
        var response = new DraftExchangeListResponse { ExchangeList = view.List.ToProto(view.Lines.Count), Replayed = view.Replayed };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<AddToExchangeListResponse> AddToExchangeList(AddToExchangeListRequest request, ServerCallContext context)
    {
        var view = await exchanges.AddAsync(ExchangeListValidator.Validate(request), context.CancellationToken);
        var response = new AddToExchangeListResponse { ExchangeList = view.List.ToProto(view.Lines.Count), Replayed = view.Replayed };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<RemoveFromExchangeListResponse> RemoveFromExchangeList(RemoveFromExchangeListRequest request, ServerCallContext context)
    {
        var view = await exchanges.RemoveAsync(ExchangeListValidator.Validate(request), context.CancellationToken);
        var response = new RemoveFromExchangeListResponse { ExchangeList = view.List.ToProto(view.Lines.Count), Replayed = view.Replayed };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<AgreeExchangeListResponse> AgreeExchangeList(AgreeExchangeListRequest request, ServerCallContext context)
    {
        var view = await exchanges.AgreeAsync(ExchangeListValidator.Validate(request), AccessContext.Caller(context), context.CancellationToken);
        var response = new AgreeExchangeListResponse { ExchangeList = view.List.ToProto(view.Lines.Count), Replayed = view.Replayed };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<CancelExchangeListResponse> CancelExchangeList(CancelExchangeListRequest request, ServerCallContext context)
    {
        var view = await exchanges.CancelAsync(ExchangeListValidator.Validate(request), AccessContext.Caller(context), context.CancellationToken);
        var response = new CancelExchangeListResponse { ExchangeList = view.List.ToProto(view.Lines.Count), Replayed = view.Replayed };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<ExecuteExchangeListResponse> ExecuteExchangeList(ExecuteExchangeListRequest request, ServerCallContext context)
    {
        var execute = ExchangeListValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var view = await exchanges.ExecuteAsync(execute, AccessContext.Caller(context), context.CancellationToken);
        var response = new ExecuteExchangeListResponse
        {
            ExchangeList = view.List.ToProto(view.Lines.Count),
            ExchangedCount = view.Lines.Count(l => l.Entry.Outcome == Domain.ExchangeOutcome.Exchanged),
            HeldBackCount = view.Lines.Count(l => l.Entry.Outcome == Domain.ExchangeOutcome.HeldBack),
            Replayed = view.Replayed,
        };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<GetExchangeListResponse> GetExchangeList(GetExchangeListRequest request, ServerCallContext context)
    {
        var view = await exchanges.GetAsync(ExchangeListValidator.Validate(request), context.CancellationToken);
        var response = new GetExchangeListResponse { ExchangeList = view.List.ToProto(view.Lines.Count) };
        response.Entries.AddRange(view.Lines.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<ListExchangeListsResponse> ListExchangeLists(ListExchangeListsRequest request, ServerCallContext context)
    {
        var (state, page) = ExchangeListValidator.Validate(request);
        var (lists, counts) = await exchanges.ListAsync(state, page, context.CancellationToken);
        var response = new ListExchangeListsResponse { NextPageToken = lists.NextPageToken };
        response.ExchangeLists.AddRange(lists.Items.Select(l => l.ToProto(counts.GetValueOrDefault(l.Number))));
        return response;
    }
}
