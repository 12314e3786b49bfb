using Grpc.Core;
using Registry.Custody.Features.IcrcVisits;
using Registry.Custody.Features.Interviews;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Grpc;

/// <summary>Interviews (GC III Art. 17) and ICRC visits with private interviews (Art. 126).</summary>
public sealed partial class CustodyGrpcService
{
    public override async Task<RecordInterviewResponse> RecordInterview(RecordInterviewRequest request, ServerCallContext context)
    {
        var command = InterviewValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await recordInterview.HandleAsync(command, AccessContext.Caller(context), context.CancellationToken);
        return new RecordInterviewResponse { Interview = result.Interview.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ListInterviewsResponse> ListInterviews(ListInterviewsRequest request, ServerCallContext context)
    {
        var query = CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "interviews");
        var onlyAgency = InterviewVisibility.OnlyAgencyOf(AccessContext.Caller(context));
        if (onlyAgency is not null)
        {
            AccessContext.Withhold(context, "interviews_of_other_agencies");
        }

        var page = await interviews.HandleAsync(query, onlyAgency, context.CancellationToken);
        var response = new ListInterviewsResponse { NextPageToken = page.NextPageToken };
        response.Interviews.AddRange(page.Items.Select(i => i.ToProto()));
        return response;
    }

    public override async Task<RecordIcrcVisitResponse> RecordIcrcVisit(RecordIcrcVisitRequest request, ServerCallContext context)
    {
        var command = IcrcVisitValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await recordIcrcVisit.HandleAsync(command, AccessContext.Caller(context), context.CancellationToken);
        return new RecordIcrcVisitResponse { Visit = result.Visit.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ListIcrcVisitsResponse> ListIcrcVisits(ListIcrcVisitsRequest request, ServerCallContext context)
    {
        var page = await icrcVisits.HandleAsync(
            CasePageRequest.Validate(request.CaseId, request.PageSize, request.PageToken, "icrc-visits"), context.CancellationToken);
        var response = new ListIcrcVisitsResponse { NextPageToken = page.NextPageToken };
        response.Visits.AddRange(page.Items.Select(v => v.ToProto()));
        return response;
    }

    /// <summary>
    /// The case file's last interview (<c>CustodyRecord.last_interview</c>): the latest by started_at, unset for a caller
    /// who sees only its own agency's interviews (<see cref="InterviewVisibility"/>) and took no part in it; the audit
    /// then records it as withheld.
    /// </summary>
    private async Task<CustodyRecord> WithLastInterviewAsync(CustodyRecord record, ServerCallContext context)
    {
        var (last, withheld) = await interviews.LastAsync(Guid.Parse(record.CaseId), InterviewVisibility.OnlyAgencyOf(AccessContext.Caller(context)), context.CancellationToken);
        if (withheld)
        {
            record.WithheldFields.Add("last_interview");
            AccessContext.Withhold(context, "last_interview");
        }

        record.LastInterview = last?.ToProto();
        return record;
    }
}
