using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Duplicates;

/// <summary>What a reopening answers: the pair as it now stands, and whether this was a replay of an earlier request.</summary>
public sealed record ReopenedDecision(DuplicateCandidate Candidate, bool Replayed);

/// <summary>
/// Takes back a coordinator's "different persons" decision so that the pair can be merged or decided again
/// (<see cref="DuplicateCandidate.Reopen"/>); logged with who reopened it and why. Idempotent on request_id. Both
/// cases are held as read, like the other decisions on a pair, so a merge racing it sees either the decision
/// standing (and is refused MARKED_NOT_DUPLICATE) or the pair open.
/// </summary>
public sealed class ReopenDuplicateDecisionHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    public Task<ReopenedDecision> HandleAsync(DecisionReopening reopening, DecidedBy decidedBy, CancellationToken ct)
    {
        var write = new IdempotentWrite<DuplicateDecision, ReopenedDecision>(db, reopening.Key)
        {
            FindPrior = (requestId, token) => db.DuplicateDecisions.AsNoTracking().SingleOrDefaultAsync(d => d.RequestId == requestId, token),
            PriorHash = d => d.RequestHash,
            Replay = async (d, token) => new ReopenedDecision(
                await db.DuplicateCandidates.AsNoTracking().SingleAsync(c => c.CandidateId == d.CandidateId, token), Replayed: true),
            Conflict = _ => "request_id was already used for a different request; use a new request_id.",
        };
        return write.ExecuteAsync(token => cases.ChangeAsync(reopening.CaseId, t => ReopenAsync(reopening, decidedBy, t), token), ct);
    }

    private async Task<ReopenedDecision> ReopenAsync(DecisionReopening reopening, DecidedBy decidedBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var a = await cases.FindAsync(reopening.CaseId, tracked: false, ct);
        var b = await cases.FindAsync(reopening.OtherCaseId, tracked: false, ct);
        var (later, earlier) = a.Number > b.Number ? (a, b) : (b, a);
        DuplicateCandidate candidate = null!;
        await cases.CommitAsync(ct, async token =>
        {
            await cases.EnsureUnchangedAsync(token, a, b);
            candidate = await db.DuplicateCandidates.SingleOrDefaultAsync(d => d.CaseId == later.CaseId && d.OtherCaseId == earlier.CaseId, token)
                ?? throw RpcErrors.NotFound(DuplicateCandidate.ResourceType, $"{later.CaseId}/{earlier.CaseId}");
            var decision = candidate.Reopen(reopening.Reason, decidedBy, now);
            decision.AnswersRequest(reopening.Key.RequestId, reopening.Key.RequestHash);
            db.DuplicateDecisions.Add(decision);
        });
        return new ReopenedDecision(candidate, Replayed: false);
    }
}
