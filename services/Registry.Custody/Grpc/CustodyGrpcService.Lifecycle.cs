using Grpc.Core;
using Registry.Custody.Features.Lifecycle;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Timeline;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Grpc;

/// <summary>Part A, the lifecycle: escape, recapture, release, and the verification of a case's chain.</summary>
public sealed partial class CustodyGrpcService
{
    public override async Task<RecordEscapeResponse> RecordEscape(RecordEscapeRequest request, ServerCallContext context)
    {
        var result = await lifecycle.EscapeAsync(LifecycleValidators.Validate(request, clock.GetUtcNow().ToMicroseconds()), context.CancellationToken);
        return new RecordEscapeResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<RecordRecaptureResponse> RecordRecapture(RecordRecaptureRequest request, ServerCallContext context)
    {
        var result = await lifecycle.RecaptureAsync(LifecycleValidators.Validate(request, clock.GetUtcNow().ToMicroseconds()), context.CancellationToken);
        return new RecordRecaptureResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ReleaseFromCustodyResponse> ReleaseFromCustody(ReleaseFromCustodyRequest request, ServerCallContext context)
    {
        var result = await lifecycle.ReleaseAsync(LifecycleValidators.Validate(request, clock.GetUtcNow().ToMicroseconds()), context.CancellationToken);
        return new ReleaseFromCustodyResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<VerifyCustodyChainResponse> VerifyCustodyChain(VerifyCustodyChainRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();
        var verified = await verifyChain.HandleAsync(caseId!.Value, context.CancellationToken);
        var response = new VerifyCustodyChainResponse
        {
            Intact = verified.Intact,
            EventCount = verified.EventCount,
            HeadHash = verified.HeadHash,
            HeadMatchesRecord = verified.HeadMatchesRecord,
        };
        if (verified.FirstBreak is { } broken)
        {
            response.FirstBreak = new ChainBreak
            {
                Sequence = broken.Sequence,
                Reason = System.Enum.Parse<ChainBreakReason>(broken.Reason.ToString()),
                Detail = broken.Detail,
                Field = broken.Field ?? "",
            };
        }

        return response;
    }
}
