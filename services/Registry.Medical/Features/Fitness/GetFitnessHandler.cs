using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Fitness;

/// <summary>
/// The answer to "may this person be interviewed / transferred / repatriated at <c>at</c>": the latest assessment for
/// the purpose assessed at or before <c>at</c> (a later one supersedes an earlier from its assessed_at), in force when
/// <c>at</c> is before its valid_until; else none, with when the latest expired. <see cref="DiedAt"/> is the recorded
/// death, if any: from it on nothing is in force (GC III Art. 120; a dead person is fit for nothing), whatever the
/// latest assessment's valid_until.
/// </summary>
public sealed record FitnessAnswer(
    FitnessQuestion Question, FitnessAssessment? InForce, DateTimeOffset? ExpiredAt, Guid? MergedIntoCaseId, DateTimeOffset? DiedAt);

/// <summary>
/// Answers <see cref="FitnessAnswer"/> in one round trip and one query: the record (NOT_FOUND when medical has none; its
/// recorded death, if any) with the latest assessment of the purpose by <c>at</c> (an index seek on (case_id, purpose,
/// assessed_at, id)). Custody asks it with a deadline before a transfer or an interview.
/// </summary>
public sealed class GetFitnessHandler(MedicalDbContext db)
{
    public async Task<FitnessAnswer> HandleAsync(FitnessQuestion question, CancellationToken ct)
    {
        var (caseId, purpose, at) = question;
        // One statement on PostgreSQL and SQLite alike (SQLite has no LATERAL/APPLY): the record joined to the assessment
        // whose id the scalar subquery finds by a backward seek of (case_id, purpose, assessed_at, id), LIMIT 1.
        var found = await (
                from r in db.Records.AsNoTracking()
                where r.CaseId == caseId
                from f in db.FitnessAssessments.AsNoTracking().Where(f => f.Id == db.FitnessAssessments
                        .Where(x => x.CaseId == caseId && x.Purpose == purpose && x.AssessedAt <= at)
                        .OrderByDescending(x => x.AssessedAt).ThenByDescending(x => x.Id)
                        .Select(x => x.Id).FirstOrDefault())
                    .DefaultIfEmpty()
                select new { r.MergedIntoCaseId, r.DiedAt, Latest = f })
            .SingleOrDefaultAsync(ct)
            ?? throw RpcErrors.NotFound(MedicalRecord.ResourceType, caseId.ToString());
        return found.Latest switch
        {
            _ when found.DiedAt <= at => new FitnessAnswer(question, null, null, found.MergedIntoCaseId, found.DiedAt),
            { } latest when latest.InForceAt(at) => new FitnessAnswer(question, latest, null, found.MergedIntoCaseId, found.DiedAt),
            { } expired => new FitnessAnswer(question, null, expired.ValidUntil, found.MergedIntoCaseId, found.DiedAt),
            null => new FitnessAnswer(question, null, null, found.MergedIntoCaseId, found.DiedAt),
        };
    }
}
