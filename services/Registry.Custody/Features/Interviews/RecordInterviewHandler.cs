using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Fitness;
using Registry.Custody.Features.Records;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Interviews;

/// <summary>What recording an interview answers: the interview as stored, and whether this was a replay.</summary>
public sealed record InterviewResult(Interview Interview, bool Replayed);

/// <summary>
/// Records an interview of a person in custody (GC III Art. 17) in its own table: the person must have been in custody
/// at <c>started_at</c> (<see cref="CustodyRecord.EnsureInCustodyAt"/>), and medical is asked whether they were fit for
/// interview then (<see cref="MedicalFitness"/>: unfit, no assessment in force or medical unreachable refuse it unless
/// an override reason is given); medical's answer is stored with the interview. Not a custody state change: nothing is
/// appended to the hash-chained timeline, which records where the person is and under whom. Idempotent on request_id;
/// the recording agency and client are the caller's token's.
/// </summary>
public sealed class RecordInterviewHandler(CustodyDbContext db, MedicalFitness fitness, TimeProvider clock, ILogger<RecordInterviewHandler> logger)
{
    public Task<InterviewResult> HandleAsync(InterviewCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var write = new IdempotentWrite<Interview, InterviewResult>(db, command.Key)
        {
            FindPrior = (requestId, token) => db.Interviews.AsNoTracking().SingleOrDefaultAsync(i => i.RequestId == requestId, token),
            PriorHash = i => i.RequestHash,
            Replay = (i, _) => Task.FromResult(new InterviewResult(i, Replayed: true)),
            Conflict = _ => "request_id was already used for a different interview; use a new request_id.",
        };
        return write.ExecuteAsync(token => RecordAsync(command, caller, token), ct);
    }

    private async Task<InterviewResult> RecordAsync(InterviewCommand command, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var statement = command.Statement;
        var record = await db.FindRecordAsync(command.CaseId, tracked: false, ct);
        // The shared date rules (DateRules): not before the capture, not before the person's birth.
        var errors = new FieldViolations();
        errors.Check("started_at", record.Dates.CaptivityProblem(statement.StartedAt));
        errors.ThrowIfAny();
        record.EnsureInCustodyAt(statement.StartedAt, "an interview");

        var check = await fitness.CheckAsync(record.CaseId, FitnessPurpose.Interview, statement.StartedAt, statement.OverrideReason, record.Subject, ct);
        var interview = Interview.Of(record, statement with { OverrideReason = check.OverrideReason }, check.Describe(), check.AssessmentId,
            caller.Agency, caller.ClientId, command.Key.RequestId, command.Key.RequestHash, now);
        db.Interviews.Add(interview);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Case {CaseNumber}: interview at {StartedAt:u} by {Agency} recorded ({Fitness})",
            record.CaseNumber, statement.StartedAt, statement.InterviewingAgency, interview.Fitness);
        return new InterviewResult(interview, Replayed: false);
    }
}
