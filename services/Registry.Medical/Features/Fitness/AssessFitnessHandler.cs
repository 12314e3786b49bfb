using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Encounters;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Fitness;

/// <summary>What an assessment answers: the assessment as stored, and whether this was a replay.</summary>
public sealed record FitnessResult(FitnessAssessment Assessment, bool Replayed);

/// <summary>
/// Enters a medic's fitness assessment (GC III Art. 17, 47, 109-117) and its <see cref="FitnessAssessed"/> for the bus in
/// one transaction (medical's outbox). Idempotent on request_id. The assessment carries the agency and client of
/// <c>caller</c>, the verified token of the call, never anything the request says. The record's version guards it against
/// a merge or another write meanwhile: the loser is applied again to the record as it now stands, up to
/// <see cref="RecordEncounterHandler.MaxAttempts"/> times, then ABORTED.
/// </summary>
public sealed class AssessFitnessHandler(
    MedicalDbContext db, OutboxSignal<MedicalDbContext> outbox, TimeProvider clock, ILogger<AssessFitnessHandler> logger)
{
    public Task<FitnessResult> HandleAsync(FitnessEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<FitnessAssessment, FitnessResult>(db, entry.Key)
        {
            FindPrior = (requestId, token) => db.FitnessAssessments.AsNoTracking().SingleOrDefaultAsync(f => f.RequestId == requestId, token),
            PriorHash = f => f.RequestHash,
            Replay = (f, _) => Task.FromResult(new FitnessResult(f, Replayed: true)),
            Conflict = _ => "request_id was already used for a different fitness assessment; use a new request_id.",
        };
        return write.ExecuteAsync(token => AssessAsync(entry, caller, token), ct);
    }

    private async Task<FitnessResult> AssessAsync(FitnessEntry entry, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        return await LostRace.RetryOnVersionAsync(db, MedicalRecord.ResourceType, $"cases/{entry.CaseId}", async ct =>
        {
            var record = await db.FindRecordAsync(entry.CaseId, tracked: true, ct);
            record.EnsureOpen();
            // The shared date rules (DateRules): not before the capture, not before the person's birth.
            var errors = new FieldViolations();
            errors.Check("assessed_at", record.Dates.CaptivityProblem(entry.Statement.AssessedAt));
            errors.ThrowIfAny();
            var assessment = record.AssessFitness(entry.Statement, now);
            assessment.RecordedBy(caller.Agency, caller.ClientId);
            assessment.AnswersRequest(entry.Key.RequestId, entry.Key.RequestHash);
            db.FitnessAssessments.Add(assessment);
            db.OutboxMessages.Add(OutboxMessage.Create(new FitnessAssessed
            {
                AssessmentId = assessment.AssessmentId,
                CaseId = assessment.CaseId,
                Purpose = FitnessMapping.Name(assessment.Purpose),
                Outcome = FitnessMapping.Name(assessment.Outcome),
                Conditions = assessment.Conditions,
                AssessedAt = assessment.AssessedAt,
                ValidUntil = assessment.ValidUntil,
            }, now));
            await db.SaveChangesAsync(ct);

            outbox.Notify();
            logger.LogInformation("Case {CaseNumber}: {Outcome} for {Purpose} from {AssessedAt:u} until {ValidUntil:u}",
                record.CaseNumber, assessment.Outcome, assessment.Purpose, assessment.AssessedAt, assessment.ValidUntil);
            return new FitnessResult(assessment, Replayed: false);
        }, ct, RecordEncounterHandler.MaxAttempts);
    }
}
