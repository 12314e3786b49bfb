using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Enquiries;

public sealed record EnquiryResult(Enquiry Enquiry, bool Replayed);

/// <summary>
/// Opens an official enquiry (GC III Art. 121) into a serious injury caused or suspected to have been caused by a guard,
/// another prisoner or another person, or, once a death is recorded, into the death (its four death grounds: a suspicion
/// may arise after a death certified NATURAL). A write on the record (<see cref="MedicalRecord.OpenEnquiry"/>: refused on a
/// merged record, death grounds refused before a death and while an enquiry on the same grounds is open; numbered by the
/// record), idempotent on request_id; occurred_at is checked against the birth and the capture and, after a death, is
/// not after it (INVALID_ARGUMENT). The opener is the caller's token.
/// </summary>
public sealed class OpenEnquiryHandler(MedicalDbContext db, TimeProvider clock, ILogger<OpenEnquiryHandler> logger)
{
    public async Task<EnquiryResult> HandleAsync(OpenEnquiryCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<Enquiry, EnquiryResult>(db, command.Key)
        {
            FindPrior = (requestId, token) => db.Enquiries.AsNoTracking().SingleOrDefaultAsync(e => e.RequestId == requestId, token),
            PriorHash = e => e.RequestHash,
            Replay = (e, _) => Task.FromResult(new EnquiryResult(e, Replayed: true)),
            Conflict = _ => "request_id was already used for a different enquiry; use a new request_id.",
        };
        var result = await write.ExecuteAsync(token => LostRace.RetryAsync(db, MedicalRecord.ResourceType, $"cases/{command.CaseId}", t => OpenAsync(command, caller, t), token), ct);
        logger.LogInformation("Enquiry {Reference} opened ({Grounds})", result.Enquiry.Reference, result.Enquiry.Grounds);
        return result;
    }

    private async Task<EnquiryResult> OpenAsync(OpenEnquiryCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var record = await db.FindRecordAsync(command.CaseId, tracked: true, ct);
        record.EnsureNotMerged();
        var errors = new FieldViolations();
        errors.Check("occurred_at", record.Dates.CaptivityProblem(command.OccurredAt));
        if (record.DiedAt is { } died && command.OccurredAt > died)
        {
            errors.Add("occurred_at", $"is after the death ({died:yyyy-MM-ddTHH:mm:ssZ}): what is enquired into happened by then");
        }

        errors.ThrowIfAny();
        var sameGrounds = Enquiry.IsDeath(command.Grounds)
            ? await db.Enquiries.Where(e => e.CaseId == record.CaseId && e.Grounds == command.Grounds && e.Status == EnquiryStatus.Open).OrderBy(e => e.Id).FirstOrDefaultAsync(ct)
            : null;
        var enquiry = record.OpenEnquiry(command.Grounds, command.OccurredAt, command.Circumstances, sameGrounds, caller, now);
        enquiry.AnswersRequest(command.Key.RequestId, command.Key.RequestHash);
        db.Enquiries.Add(enquiry);
        await db.SaveChangesAsync(ct);
        return new EnquiryResult(enquiry, Replayed: false);
    }
}

/// <summary>
/// Closes an open enquiry with its findings (ENQUIRY_CLOSED when closed before). A write on the enquiry, not on the
/// medical record: the enquiry into a death is closed after the death. Idempotent on request_id; two closings at once
/// are serialised by the enquiry's version (<see cref="LostRace"/>: the loser is refused ENQUIRY_CLOSED, or replays the winner
/// if it was the same request).
/// </summary>
public sealed class CloseEnquiryHandler(MedicalDbContext db, TimeProvider clock, ILogger<CloseEnquiryHandler> logger)
{
    public async Task<EnquiryResult> HandleAsync(CloseEnquiryCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<Enquiry, EnquiryResult>(db, command.Key)
        {
            FindPrior = (requestId, token) => db.Enquiries.AsNoTracking().SingleOrDefaultAsync(e => e.CloseRequestId == requestId, token),
            PriorHash = e => e.CloseRequestHash,
            Replay = (e, _) => Task.FromResult(new EnquiryResult(e, Replayed: true)),
            Conflict = _ => "request_id was already used for a different closing; use a new request_id.",
        };
        return await write.ExecuteAsync(token => LostRace.RetryAsync(db, Enquiry.ResourceType, $"enquiries/{command.EnquiryId}", async t =>
        {
            var enquiry = await db.Enquiries.SingleOrNotFoundAsync(e => e.EnquiryId == command.EnquiryId, Enquiry.ResourceType, $"enquiries/{command.EnquiryId}", t);
            enquiry.Close(command.Findings, caller, command.Key.RequestId, command.Key.RequestHash, clock.GetUtcNow().ToMicroseconds());
            await db.SaveChangesAsync(t);
            logger.LogInformation("Enquiry {Reference} closed", enquiry.Reference);
            return new EnquiryResult(enquiry, Replayed: false);
        }, token), ct);
    }
}

/// <summary>Enquiries in the order opened, filtered by status and case, keyset-paged.</summary>
public sealed class ListEnquiriesHandler(MedicalDbContext db)
{
    public Task<Page<Enquiry>> HandleAsync(EnquiryQuery query, CancellationToken ct)
    {
        var enquiries = db.Enquiries.AsNoTracking();
        if (query.Status is { } status)
        {
            enquiries = enquiries.Where(e => e.Status == status);
        }

        if (query.CaseId is { } caseId)
        {
            enquiries = enquiries.Where(e => e.CaseId == caseId);
        }

        return enquiries.ToKeysetPageAsync(query.Page, e => e.Id, ct);
    }
}
