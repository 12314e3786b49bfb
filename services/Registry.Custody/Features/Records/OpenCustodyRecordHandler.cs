using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Features.Records;

/// <summary>
/// Opens the custody record of a newly registered case, its timeline starting with the capture. Called by
/// the <c>CaseRegistered</c> consumer inside its inbox transaction; it adds to the context and leaves the save
/// to the caller.
/// </summary>
public sealed class OpenCustodyRecordHandler(CustodyDbContext db, TimeProvider clock)
{
    /// <returns>The record opened, or null when the case already had one (announced again by another message id after an outbox replay).</returns>
    public async Task<CustodyRecord?> HandleAsync(CaseRegistered registered, CancellationToken ct)
    {
        // Not asked first: the record's primary key (the case id) answers in the inbox's batch, and the inbox
        // applies the message again, asking now, only when the key refused it (Inbox.Reapplying).
        if (Inbox.Reapplying && await db.Records.AnyAsync(r => r.CaseId == registered.CaseId, ct))
        {
            return null;
        }

        var (record, captured) = CustodyRecord.Open(registered.CaseId, registered.CaseNumber, registered.CapturedAt.ToMicroseconds(),
            registered.CapturePlace, registered.CapturingAgency, clock.GetUtcNow().ToMicroseconds(), registered.DateOfBirth);
        db.Records.Add(record);
        db.Events.Add(captured);
        return record;
    }
}
