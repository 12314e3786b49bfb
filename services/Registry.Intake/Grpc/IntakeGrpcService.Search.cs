using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Grpc;

/// <summary>Search over the register.</summary>
public sealed partial class IntakeGrpcService
{
    public override async Task<SearchCasesResponse> SearchCases(SearchCasesRequest request, ServerCallContext context)
    {
        var search = SearchCasesValidator.Validate(request);
        var page = await _db.Cases.AsNoTracking().Matching(search).Take(search.PageSize).ToListAsync(context.CancellationToken);

        var response = new SearchCasesResponse { NextPageToken = PageTokens.Next(page, search.PageSize, c => c.Number, search.Query) };
        response.Cases.AddRange(page.Select(c => c.ToProto()));
        return response;
    }
}
