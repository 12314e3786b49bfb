using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Fitness;

/// <summary>
/// The answer to "may this person be interviewed / transferred / repatriated at <c>at</c>": the latest assessment for
/// the purpose assessed at or before <c>at</c> (a later one supersedes an earlier from its assessed_at), in force when
/// <c>at</c> is before its valid_until; else none, with when the latest expired.
/// </summary>
public sealed record FitnessAnswer(FitnessQuestion Question, FitnessAssessment? InForce, DateTimeOffset? ExpiredAt, Guid? MergedIntoCaseId);

/// <summary>
/// Answers <see cref="FitnessAnswer"/> in one round trip and one query: the record (NOT_FOUND when medical has none) with
/// the latest assessment of the purpose by <c>at</c> (an index seek on (case_id, purpose, assessed_at, id)). Custody asks
/// it with a deadline before a transfer or an interview.
/// </summary>
public sealed class GetFitnessHandler(MedicalDbContext db)
{
    public async Task<FitnessAnswer> HandleAsync(FitnessQuestion question, CancellationToken ct)
    {
        var (caseId, purpose, at) = question;
        var found = await db.Records.AsNoTracking()
            .Where(r => r.CaseId == caseId)
            .Select(r => new
            {
                r.MergedIntoCaseId,
                Latest = db.FitnessAssessments
                    .Where(f => f.CaseId == caseId && f.Purpose == purpose && f.AssessedAt <= at)
                    .OrderByDescending(f => f.AssessedAt).ThenByDescending(f => f.Id)
                    .FirstOrDefault(),
            })
            .SingleOrDefaultAsync(ct)
            ?? throw RpcErrors.NotFound(MedicalRecord.ResourceType, caseId.ToString());
        return found.Latest switch
        {
            { } latest when latest.InForceAt(at) => new FitnessAnswer(question, latest, null, found.MergedIntoCaseId),
            { } expired => new FitnessAnswer(question, null, expired.ValidUntil, found.MergedIntoCaseId),
            null => new FitnessAnswer(question, null, null, found.MergedIntoCaseId),
        };
    }
}
