using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Search;

public static class SearchMapping
{
    public static SearchCasesResponse ToProto(this Page<CaptureCase> page)
    {
        var response = new SearchCasesResponse { NextPageToken = page.NextPageToken };
        response.Cases.AddRange(page.Items.Select(c => c.ToProto()));
        return response;
    }
}
