using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Hospitalisation;
using Registry.Medical.Features.SeriouslyIll;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Deaths;

/// <summary>What a recorded death answers: the death, the record (DECEASED) and the enquiry it opened, if any.</summary>
public sealed record DeathResult(MedicalRecord Record, Death Death, Enquiry? Enquiry, bool Replayed);

/// <summary>
/// Records a death with its certificate (GC III Art. 120; <see cref="MedicalRecord.RecordDeath"/>): the death, the
/// record (DECEASED, final), the open hospital stay it ends, the enquiry it opens (Art. 121) and
/// <see cref="DeathRecorded"/> for the bus are stored in one transaction (the outbox). Idempotent on request_id; a
/// second death under another request_id is PATIENT_DECEASED. died_at is checked against the birth and the capture
/// (<see cref="MedicalRecord.Dates"/>) and is not before the latest dated fact on the record (<see cref="LatestFactAsync"/>:
/// INVALID_ARGUMENT on died_at naming it and its date). The certifying medic is the caller's token.
/// </summary>
public sealed class RecordDeathHandler(MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<RecordDeathHandler> logger)
{
    public async Task<DeathResult> HandleAsync(DeathCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<Death, DeathResult>(db, command.Key)
        {
            FindPrior = (requestId, token) => db.Deaths.AsNoTracking().SingleOrDefaultAsync(d => d.RequestId == requestId, token),
            PriorHash = d => d.RequestHash,
            Replay = ReplayAsync,
            Conflict = _ => "request_id was already used for a different death; use a new request_id.",
        };
        var result = await write.ExecuteAsync(token => LostRace.RetryAsync(db, MedicalRecord.ResourceType, $"cases/{command.CaseId}", t => RecordAsync(command, caller, t), token), ct);
        if (!result.Replayed)
        {
            outbox.Notify();
            logger.LogInformation("Case {CaseNumber}: death recorded, enquiry {Enquiry}", result.Record.CaseNumber, result.Enquiry?.Reference ?? "none");
        }

        return result;
    }

    private async Task<DeathResult> RecordAsync(DeathCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var details = command.Details;
        var record = await db.FindRecordAsync(command.CaseId, tracked: true, ct);
        record.EnsureOpen();
        var open = await db.OpenStayAsync(record, ct);
        var errors = new FieldViolations();
        errors.Check("died_at", record.Dates.CaptivityProblem(details.DiedAt));
        if (await LatestFactAsync(record.CaseId, ct) is { } latest && details.DiedAt < latest.At)
        {
            errors.Add("died_at", $"is before {latest.What} at {latest.At:yyyy-MM-ddTHH:mm:ssZ}, the latest dated fact on the record: a death is the last");
        }

        errors.ThrowIfAny();
        // GC III Art. 122's weekly reports on the seriously ill end with the death (Art. 120 takes over).
        await WeeklyReportClock.StopForDeathAsync(db, record, details.DiedAt, caller, now, ct);
        var (death, enquiry) = record.RecordDeath(details, open, caller, now);
        death.CertifiedBy(caller.Agency, caller.ClientId, command.Key.RequestId, command.Key.RequestHash);
        db.Deaths.Add(death);
        if (enquiry is not null)
        {
            db.Enquiries.Add(enquiry);
        }

        db.OutboxMessages.Add(OutboxMessage.Create(new DeathRecorded
        {
            CaseId = record.CaseId,
            DiedAt = details.DiedAt,
            Place = details.Place,
            Cause = details.Cause,
            CertificateNumber = details.Certificate.Number,
            CertificateIssuedBy = details.Certificate.IssuedBy,
            CertificateIssuedAt = details.Certificate.IssuedAt,
            EnquiryReference = enquiry?.Reference,
        }, now));
        await db.SaveChangesAsync(ct);
        return new DeathResult(record, death, enquiry, Replayed: false);
    }

    /// <summary>
    /// The latest dated fact the record holds, and what it is: an encounter (examination, treatment, inspection; the
    /// conditions found and resolved carry its date), an admission to or discharge from hospital, a fitness assessment, a
    /// mark seriously ill or wounded or its end, a weekly health report, a certificate of treatment's request or the end of
    /// the treatment it states, a serious injury under enquiry. Null when the record holds none.
    /// </summary>
    private async Task<(string What, DateTimeOffset At)?> LatestFactAsync(Guid caseId, CancellationToken ct)
    {
        var facts = new List<(string What, DateTimeOffset? At)>
        {
            ("an encounter", await db.Encounters.Where(e => e.CaseId == caseId).MaxAsync(e => (DateTimeOffset?)e.OccurredAt, ct)),
            ("an admission to hospital", await db.HospitalStays.Where(s => s.CaseId == caseId).MaxAsync(s => (DateTimeOffset?)s.AdmittedAt, ct)),
            ("a discharge from hospital", await db.HospitalStays.Where(s => s.CaseId == caseId).MaxAsync(s => s.DischargedAt, ct)),
            ("a fitness assessment", await db.FitnessAssessments.Where(f => f.CaseId == caseId).MaxAsync(f => (DateTimeOffset?)f.AssessedAt, ct)),
            ("the mark seriously ill or wounded", await db.SeriousIllnesses.Where(i => i.CaseId == caseId).MaxAsync(i => (DateTimeOffset?)i.Since, ct)),
            ("the end of a spell seriously ill or wounded", await db.SeriousIllnesses.Where(i => i.CaseId == caseId).MaxAsync(i => i.Until, ct)),
            ("a weekly health report", await db.WeeklyHealthReports.Where(r => r.CaseId == caseId).MaxAsync(r => (DateTimeOffset?)r.ReportedAt, ct)),
            ("the request of a certificate of treatment", await db.TreatmentCertificates.Where(c => c.CaseId == caseId).MaxAsync(c => (DateTimeOffset?)c.RequestedAt, ct)),
            ("the end of a treatment a certificate states", await db.TreatmentCertificates.Where(c => c.CaseId == caseId).MaxAsync(c => c.TreatmentTo, ct)),
            ("a serious injury under enquiry", await db.Enquiries.Where(e => e.CaseId == caseId).MaxAsync(e => (DateTimeOffset?)e.OccurredAt, ct)),
        };
        return facts.Where(f => f.At is not null).Select(f => (f.What, At: f.At!.Value)).OrderByDescending(f => f.At)
            .Cast<(string What, DateTimeOffset At)?>().FirstOrDefault();
    }

    private async Task<DeathResult> ReplayAsync(Death earlier, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(earlier.CaseId, tracked: false, ct);
        var enquiry = earlier.EnquiryId is { } id ? await db.Enquiries.AsNoTracking().SingleAsync(e => e.EnquiryId == id, ct) : null;
        return new DeathResult(record, earlier, enquiry, Replayed: true);
    }
}

/// <summary>The death of a case as certified; NOT_FOUND (naming the record) when none is recorded.</summary>
public sealed class GetDeathHandler(MedicalDbContext db)
{
    public async Task<Death> HandleAsync(Guid caseId, CancellationToken ct)
    {
        var record = await db.FindRecordAsync(caseId, tracked: false, ct);
        return await db.Deaths.AsNoTracking().SingleOrNotFoundAsync(d => d.CaseId == caseId, "registry.medical.v1.Death", record.Subject + "/death", ct);
    }
}
