using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Transfers;

/// <summary>
/// The receiving custodian confirms a transfer's arrival: the destination becomes the place of internment and the
/// receiving agency the custodian (<see cref="CustodyRecord.ConfirmArrival"/>). Only the receiving agency may confirm:
/// the access table lets a custodian act in its own agency's name only (receiving_agency is the row's agency field),
/// and this handler checks that agency, the caller's, is the transfer's receiving agency (PERMISSION_DENIED
/// <c>NOT_RECEIVING_AGENCY</c>). The record, the TRANSFER_ARRIVED event and <see cref="CustodyTransferred"/> for the
/// bus are stored in one transaction: intake makes a new capture card due a week from the arrival (GC III Art. 70)
/// and notifies the ICRC of the transfer (Art. 122). Idempotent on request_id.
/// </summary>
public sealed class ConfirmTransferArrivalHandler(
    CustodyDbContext db, OutboxSignal<CustodyDbContext> outbox, TimeProvider clock, ILogger<ConfirmTransferArrivalHandler> logger)
{
    public async Task<TransferResult> HandleAsync(ArrivalCommand arrival, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var write = new IdempotentWrite<CustodyEvent, TransferResult>(db, arrival.Key)
        {
            FindPrior = (requestId, token) => db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = async (e, token) => new TransferResult(await db.FindRecordAsync(e.CaseId, tracked: false, token), e, Replayed: true),
            Conflict = _ => "request_id was already used for a different custody request; use a new request_id.",
        };
        return await write.ExecuteAsync(token => LostRace.RetryOnVersionAsync(db, CustodyRecord.ResourceType, $"cases/{arrival.CaseId}",
            t => ArriveAsync(arrival, caller, now, t), token), ct);
    }

    private async Task<TransferResult> ArriveAsync(ArrivalCommand arrival, CallerIdentity caller, DateTimeOffset now, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(arrival.CaseId, tracked: true, ct);
        if (record.State == CustodyState.InTransfer)
        {
            foreach (var agency in new[] { caller.Agency, arrival.ReceivingAgency }.Distinct(StringComparer.Ordinal))
            {
                if (!string.Equals(agency, record.TransferToAgency, StringComparison.Ordinal))
                {
                    throw AccessRefusals.PermissionDenied(
                        $"Case {record.CaseNumber} is on its way to {record.TransferTo?.Describe()} under agency '{record.TransferToAgency}'; only that agency's custodian confirms the arrival, not '{agency}'.",
                        "NOT_RECEIVING_AGENCY", record.Subject, agency == arrival.ReceivingAgency ? "receiving_agency" : null).ToRpcException();
                }
            }
        }

        var from = record.Facility?.Describe();
        var arrived = record.ConfirmArrival(arrival.ArrivedAt, arrival.Note, now);
        arrived.AnswersRequest(arrival.Key.RequestId, arrival.Key.RequestHash);
        db.Events.Add(arrived);
        db.OutboxMessages.Add(OutboxMessage.Create(new CustodyTransferred
        {
            CaseId = record.CaseId,
            TransferredAt = arrival.ArrivedAt,
            FromFacility = from,
            ToFacility = record.Facility!.Describe(),
        }, now));
        await db.SaveChangesAsync(ct);

        outbox.Notify();
        logger.LogInformation("Case {CaseNumber} arrived at {Facility} under {Agency}", record.CaseNumber, record.Facility.Describe(), record.CustodianAgency);
        return new TransferResult(record, arrived, Replayed: false);
    }
}
