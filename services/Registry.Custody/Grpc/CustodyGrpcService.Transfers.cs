using Grpc.Core;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Timeline;
using Registry.Custody.Features.Transfers;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Grpc;

/// <summary>Transfers between places of internment and agencies (GC III Art. 46-48): the start, with medical's fitness question, and the arrival.</summary>
public sealed partial class CustodyGrpcService
{
    public override async Task<TransferCustodyResponse> TransferCustody(TransferCustodyRequest request, ServerCallContext context)
    {
        var transfer = TransferValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await transferCustody.HandleAsync(transfer, context.CancellationToken);
        return new TransferCustodyResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }

    public override async Task<ConfirmTransferArrivalResponse> ConfirmTransferArrival(ConfirmTransferArrivalRequest request, ServerCallContext context)
    {
        var arrival = TransferValidator.Validate(request, clock.GetUtcNow().ToMicroseconds());
        var result = await confirmTransferArrival.HandleAsync(arrival, AccessContext.Caller(context), context.CancellationToken);
        return new ConfirmTransferArrivalResponse { Record = result.Record.ToProto(), Event = result.Event.ToProto(), Replayed = result.Replayed };
    }
}
