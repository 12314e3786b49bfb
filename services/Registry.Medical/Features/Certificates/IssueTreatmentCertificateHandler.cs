using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Certificates;

/// <summary>What issuing answers: the certificate as stored, and whether this was a replay of an earlier request.</summary>
public sealed record CertificateResult(TreatmentCertificate Certificate, bool Replayed);

/// <summary>
/// Issues a certificate of treatment (GC III Art. 30) on a case's record. Idempotent on request_id. The dates are
/// checked against the person's capture and birth (<see cref="MedicalRecord.Dates"/>: INVALID_ARGUMENT naming the
/// field). Free text the certificate's fonts cannot print (<see cref="CertificateScripts"/>: no glyph, a script that
/// needs shaping, a right-to-left script) is INVALID_ARGUMENT naming the field and its first such character; so is a
/// named condition whose stated text holds one (naming <c>condition_ids[i]</c>). The record is read and held at its version for the write (an UPDATE that sets the version to itself),
/// so a merge committed meanwhile makes this write lose the race and run again, to be refused CASE_MERGED; two
/// certificates of one case do not conflict. The number comes from the store (<see cref="TreatmentCertificateConfiguration"/>).
/// The issuer's agency and client come from <c>caller</c>, the verified token (<see cref="AccessContext.Caller"/>).
/// </summary>
public sealed class IssueTreatmentCertificateHandler(
    MedicalDbContext db, TimeProvider clock, CertificateFonts fonts, ILogger<IssueTreatmentCertificateHandler> logger)
{
    public const int MaxAttempts = 20;

    public Task<CertificateResult> HandleAsync(CertificateEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<TreatmentCertificate, CertificateResult>(db, entry.Key)
        {
            FindPrior = (requestId, token) => db.TreatmentCertificates.AsNoTracking().SingleOrDefaultAsync(c => c.RequestId == requestId, token),
            PriorHash = c => c.RequestHash,
            Replay = (c, _) => Task.FromResult(new CertificateResult(c, Replayed: true)),
            Conflict = c => $"request_id was already used for a different certificate ({c.CertificateNumber}); use a new request_id.",
        };
        return write.ExecuteAsync(token => IssueAsync(entry, caller, token), ct);
    }

    private async Task<CertificateResult> IssueAsync(CertificateEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var statement = entry.Statement;
        return await LostRace.RetryOnVersionAsync(db, MedicalRecord.ResourceType, $"cases/{entry.CaseId}", async ct =>
        {
            var record = await db.FindRecordAsync(entry.CaseId, tracked: true, ct);
            record.EnsureOpen();
            // The shared date rules (DateRules): not before the capture, not before the person's birth.
            var errors = new FieldViolations();
            errors.Check("requested_at", record.Dates.CaptivityProblem(statement.RequestedAt));
            errors.Check("treatment_from", record.Dates.CaptivityProblem(statement.TreatmentFrom));
            if (statement.TreatmentTo is { } to)
            {
                errors.Check("treatment_to", record.Dates.CaptivityProblem(to));
            }

            foreach (var (field, text) in new[]
            {
                ("nature", statement.Nature), ("treatment", statement.Treatment), ("place", statement.Place),
                ("medic_name", statement.MedicName), ("medic_function", statement.MedicFunction),
            })
            {
                errors.Check(field, text is null ? null : fonts.Unprintable(text));
            }

            var ids = statement.ConditionIds.ToList();
            var conditions = ids.Count == 0 ? [] : await db.Conditions.AsNoTracking().Where(c => ids.Contains(c.ConditionId)).ToListAsync(ct);
            for (var i = 0; i < ids.Count; i++)
            {
                if (conditions.SingleOrDefault(c => c.ConditionId == ids[i] && c.CaseId == record.CaseId) is { } condition)
                {
                    errors.Check($"condition_ids[{i}]", fonts.Unprintable(TreatmentCertificate.Stated(condition)) is { } problem
                        ? $"names a condition whose description, body site or cause {problem}; state its nature in nature instead"
                        : null);
                }
            }

            errors.ThrowIfAny();
            var certificate = TreatmentCertificate.Issue(record, statement, conditions, (caller.Agency, caller.ClientId), now);
            certificate.AnswersRequest(entry.Key.RequestId, entry.Key.RequestHash);
            db.TreatmentCertificates.Add(certificate);
            // Holds the record as read: the UPDATE fails on its version if a merge changed it meanwhile.
            db.Entry(record).Property(r => r.Version).IsModified = true;
            await db.SaveChangesAsync(ct);

            logger.LogInformation("Case {CaseNumber}: certificate of treatment {Number} issued ({Language} copy)",
                record.CaseNumber, certificate.CertificateNumber, certificate.Language);
            return new CertificateResult(certificate, Replayed: false);
        }, ct, MaxAttempts);
    }
}
