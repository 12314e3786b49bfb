using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Validation;

namespace Registry.Custody.Features.Lifecycle;

/// <summary>
/// Custody follows medical's facts about a person (<see cref="PatientHospitalised"/>, <see cref="PatientDischarged"/>,
/// <see cref="DeathRecorded"/>): each is one move of the record's state machine and one event of its timeline. Called by
/// the consumers inside their inbox transaction; adds to the context and leaves the save to the inbox filter.
/// </summary>
/// <remarks>
/// <para>A case merged into another is followed to the survivor (<see cref="CustodyRecord.MergedIntoCaseId"/>): the
/// survivor's record is the person's.</para>
/// <para>A fact the state machine refuses (a discharge of a person not in hospital, a hospitalisation before the current
/// state began, anything after an end of captivity, a date before the capture) is logged as a warning with the rule's
/// reason code and dropped: the message is acknowledged and nothing changes, because the same fact would be refused on
/// every retry (it must neither loop nor wait in the error queue). A death is refused only after an end of captivity:
/// it closes every live record, even when its certified date precedes the current state (<see cref="CustodyRecord.Die"/>).</para>
/// <para>A record not opened yet (its CaseRegistered still on the way) makes the delivery fail and be retried, as a merge
/// does; a concurrent move of the same record (an RPC) fails the save on the record's version, and the delivery is
/// retried in a fresh scope, reading the record afresh.</para>
/// </remarks>
public sealed class FollowMedicalHandler(CustodyDbContext db, TimeProvider clock, ILogger<FollowMedicalHandler> logger)
{
    /// <returns>The event appended, or null when the state machine refused the fact.</returns>
    public Task<CustodyEvent?> HospitalisedAsync(PatientHospitalised m, CancellationToken ct) =>
        ApplyAsync(m.CaseId, nameof(PatientHospitalised), (record, now) =>
            record.Hospitalise(OneLine(m.Hospital, Facility.NameMaxLength), m.HospitalisedAt.ToMicroseconds(), "admitted to hospital (medical)", now), ct);

    public Task<CustodyEvent?> DischargedAsync(PatientDischarged m, CancellationToken ct) =>
        ApplyAsync(m.CaseId, nameof(PatientDischarged), (record, now) =>
            record.Discharge(m.DischargedAt.ToMicroseconds(), $"discharged from {OneLine(m.Hospital, Facility.NameMaxLength)} (medical)", now), ct);

    public Task<CustodyEvent?> DiedAsync(DeathRecorded m, CancellationToken ct) =>
        ApplyAsync(m.CaseId, nameof(DeathRecorded), (record, now) =>
        {
            // The cause of death is clinical detail: it stays in medical's record (GetDeath: medic and coordinator) and
            // reaches the ICRC through intake's notification (GC III Art. 120, 122); custody's timeline, which custodians,
            // the ICRC, auditors and partners a case is shared with read, names only the certificate.
            var note = $"died at {m.Place}; death certificate {m.CertificateNumber} issued by {m.CertificateIssuedBy}"
                + (m.EnquiryReference is { Length: > 0 } enquiry ? $"; official enquiry {enquiry} (GC III Art. 121)" : "");
            return record.Die(m.DiedAt.ToMicroseconds(), OneLine(m.Place, Facility.NameMaxLength), OneLine(note, CustodyEvent.NoteMaxLength), now);
        }, ct);

    private async Task<CustodyEvent?> ApplyAsync(
        Guid caseId, string fact, Func<CustodyRecord, DateTimeOffset, CustodyEvent> move, CancellationToken ct)
    {
        var record = await db.Records.SingleOrDefaultAsync(r => r.CaseId == caseId, ct) ?? throw NotOpenYet(caseId, fact);
        for (var hops = 0; record.MergedIntoCaseId is { } next && hops < 100; hops++)
        {
            record = await db.Records.SingleOrDefaultAsync(r => r.CaseId == next, ct) ?? throw NotOpenYet(next, fact);
        }

        try
        {
            var e = move(record, clock.GetUtcNow().ToMicroseconds());
            db.Events.Add(e);
            logger.LogInformation("Case {CaseNumber} follows medical's {Fact}: {Kind}, now {State}", record.CaseNumber, fact, e.Kind, record.State);
            return e;
        }
        catch (RuleViolationException refused)
        {
            logger.LogWarning("Case {CaseNumber}: medical's {Fact} not applied to custody ({Reason}): {Detail}",
                record.CaseNumber, fact, refused.Reason, refused.Message);
            return null;
        }
    }

    /// <summary>Medical's text as one line of the chain (CustodyChain hashes one field per line), cut to the field's length.</summary>
    private static string OneLine(string text, int maxLength)
    {
        var line = string.Join(' ', text.Split(TextRules.LineBreaks.ToCharArray(), StringSplitOptions.RemoveEmptyEntries));
        return TextRules.Cut(line, maxLength);
    }

    private static InvalidOperationException NotOpenYet(Guid caseId, string fact) =>
        new($"The custody record of case {caseId} is not open yet (its CaseRegistered has not been applied); {fact} is tried again.");
}
