using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Medical.Features.Records;

/// <summary>
/// Opens the medical record of a newly registered case (the first examination falls due within the
/// inspection interval, GC III Art. 31). Called by the <c>CaseRegistered</c> consumer inside its inbox
/// transaction; it adds to the context and leaves the save to the caller.
/// </summary>
public sealed class OpenMedicalRecordHandler(MedicalDbContext db, TimeProvider clock)
{
    /// <returns>The record opened, or null when the case already had one (announced again by another message id).</returns>
    public async Task<MedicalRecord?> HandleAsync(CaseRegistered registered, CancellationToken ct)
    {
        // Not asked first: the record's primary key (the case id) answers in the inbox's batch, and the inbox
        // applies the message again, asking now, only when the key refused it (Inbox.Reapplying).
        if (Inbox.Reapplying && await db.Records.AnyAsync(r => r.CaseId == registered.CaseId, ct))
        {
            return null;
        }

        var record = MedicalRecord.Open(registered.CaseId, registered.CaseNumber, clock.GetUtcNow().ToMicroseconds(),
            registered.CapturedAt.ToMicroseconds(), registered.DateOfBirth,
            PersonName.Of(registered.FamilyName, registered.GivenNames, registered.FamilyNameLatin, registered.GivenNamesLatin),
            registered.CapturingAgency);
        db.Records.Add(record);
        return record;
    }
}
