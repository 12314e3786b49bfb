using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Grpc;

public sealed class MedicalGrpcService(MedicalDbContext db) : MedicalService.MedicalServiceBase
{
    /// <summary>The summary any authorised role may see: status and dates, never clinical detail.</summary>
    public override async Task<GetMedicalSummaryResponse> GetMedicalSummary(GetMedicalSummaryRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var record = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.CaseId == caseId, context.CancellationToken)
            ?? throw RpcErrors.NotFound("registry.medical.v1.MedicalSummary", request.CaseId);
        return new GetMedicalSummaryResponse
        {
            Summary = new MedicalSummary
            {
                CaseId = record.CaseId.ToString(),
                Status = record.Status switch
                {
                    Domain.MedicalStatus.AwaitingExamination => MedicalStatus.AwaitingExamination,
                    _ => MedicalStatus.Unspecified,
                },
                OpenedAt = Timestamp.FromDateTimeOffset(record.OpenedAt),
                ExaminationDueBy = Timestamp.FromDateTimeOffset(record.ExaminationDueBy),
            },
        };
    }
}
