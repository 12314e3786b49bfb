using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using CustodyEvent = Registry.Custody.Domain.CustodyEvent;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;

namespace Registry.Custody.Grpc;

/// <summary>
/// The custody service's gRPC surface: validates, loads the record, asks it for the move (the state
/// machine refuses illegal ones), stores the record, its new timeline event and the event for the bus
/// in one transaction.
/// </summary>
public sealed class CustodyGrpcService(
    CustodyDbContext db, OutboxSignal<CustodyDbContext> outbox, TimeProvider clock, ILogger<CustodyGrpcService> logger)
    : CustodyService.CustodyServiceBase
{
    public override async Task<GetCustodyRecordResponse> GetCustodyRecord(GetCustodyRecordRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var record = await FindAsync(caseId!.Value, tracked: false, context.CancellationToken);
        return new GetCustodyRecordResponse { Record = record.ToProto() };
    }

    public override async Task<AdmitToFacilityResponse> AdmitToFacility(AdmitToFacilityRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow().ToMicroseconds();
        var admission = AdmissionValidator.Validate(request, now);
        var hash = SHA256.HashData(request.ToByteArray());

        if (await ReplayAsync(admission.RequestId, admission.CaseId, hash, ct) is { } replayed)
        {
            return replayed;
        }

        var record = await FindAsync(admission.CaseId, tracked: true, ct);
        var admitted = record.Admit(admission.Facility, admission.CustodianAgency, admission.AdmittedAt, admission.Note, now);
        admitted.RequestId = admission.RequestId;
        admitted.RequestHash = hash;
        db.Events.Add(admitted);
        db.OutboxMessages.Add(OutboxMessage.Create(new CustodyAdmitted
        {
            CaseId = record.CaseId,
            AdmittedAt = admission.AdmittedAt,
            Facility = admission.Facility.Name,
            Locality = admission.Facility.Locality,
            Country = admission.Facility.Country,
            CustodianAgency = admission.CustodianAgency,
        }, now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent call got in first: the same request retried (replay it), or another move
            // (the record's state now decides).
            db.ChangeTracker.Clear();
            if (await ReplayAsync(admission.RequestId, admission.CaseId, hash, CancellationToken.None) is { } winner)
            {
                return winner;
            }

            var current = await FindAsync(admission.CaseId, tracked: false, CancellationToken.None);
            current.Admit(admission.Facility, admission.CustodianAgency, admission.AdmittedAt, admission.Note, now); // throws the rule that now applies
            throw;
        }

        outbox.Notify();
        logger.LogInformation("Case {CaseNumber} admitted to {Facility} under {Agency}",
            record.CaseNumber, admission.Facility.Describe(), admission.CustodianAgency);
        return new AdmitToFacilityResponse { Record = record.ToProto(), Event = admitted.ToProto() };
    }

    public override async Task<ListCustodyEventsResponse> ListCustodyEvents(ListCustodyEventsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"custody-events/{request.CaseId}";
        var after = errors.PageToken("page_token", request.PageToken, query) ?? 0;
        errors.ThrowIfAny();

        await FindAsync(caseId!.Value, tracked: false, ct);
        var page = await db.Events.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Sequence > after)
            .OrderBy(e => e.Sequence)
            .Take(pageSize)
            .ToListAsync(ct);
        var response = new ListCustodyEventsResponse
        {
            NextPageToken = PageTokens.Next(page, pageSize, e => e.Sequence, query),
        };
        response.Events.AddRange(page.Select(e => e.ToProto()));
        return response;
    }

    private async Task<CustodyRecord> FindAsync(Guid caseId, bool tracked, CancellationToken ct)
    {
        var records = tracked ? db.Records : db.Records.AsNoTracking();
        return await records.SingleOrDefaultAsync(r => r.CaseId == caseId, ct)
            ?? throw RpcErrors.NotFound(CustodyRecord.ResourceType, caseId.ToString());
    }

    /// <summary>The first result of a request id seen before; the same id with another request is refused.</summary>
    private async Task<AdmitToFacilityResponse?> ReplayAsync(Guid requestId, Guid caseId, byte[] hash, CancellationToken ct)
    {
        var earlier = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, ct);
        if (earlier is null)
        {
            return null;
        }

        if (earlier.CaseId != caseId || earlier.RequestHash is null || !CryptographicOperations.FixedTimeEquals(earlier.RequestHash, hash))
        {
            throw RpcErrors.AlreadyExists("request_id was already used for a different custody request; use a new request_id.");
        }

        var record = await FindAsync(caseId, tracked: false, ct);
        return new AdmitToFacilityResponse { Record = record.ToProto(), Event = earlier.ToProto(), Replayed = true };
    }
}
