using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Grpc;
using CustodyRecord = Registry.Protos.Custody.V1.CustodyRecord;
using CustodyState = Registry.Protos.Custody.V1.CustodyState;

namespace Registry.Custody.Grpc;

public sealed class CustodyGrpcService(CustodyDbContext db) : CustodyService.CustodyServiceBase
{
    public override async Task<GetCustodyRecordResponse> GetCustodyRecord(GetCustodyRecordRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var record = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.CaseId == caseId, context.CancellationToken)
            ?? throw RpcErrors.NotFound("registry.custody.v1.CustodyRecord", request.CaseId);
        return new GetCustodyRecordResponse
        {
            Record = new CustodyRecord
            {
                CaseId = record.CaseId.ToString(),
                CaseNumber = record.CaseNumber,
                State = record.State switch
                {
                    Domain.CustodyState.AwaitingAdmission => CustodyState.AwaitingAdmission,
                    _ => CustodyState.Unspecified,
                },
                CapturedAt = Timestamp.FromDateTimeOffset(record.CapturedAt),
                CapturePlace = record.CapturePlace,
                CapturingAgency = record.CapturingAgency,
                OpenedAt = Timestamp.FromDateTimeOffset(record.OpenedAt),
            },
        };
    }
}
