using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Duplicates;

/// <summary>
/// The duplicate candidates a replayed registration answers with again (RegisterCapture and ImportCaptures rows whose
/// request_id is on file): the open pairs its registration found, best first. Pairs are kept later case first
/// (<see cref="DuplicateCandidate.LaterFirst"/>), so most of them are the case's own (<c>CaseId</c> the case); a case found
/// that came out numbered after it (committed while the registration waited on the duplicate locks) is kept the other way
/// round, <c>OtherCaseId</c> the case, and is told from a pair a later registration found by its time: found when the case
/// was registered, by a case registered at another time. (A case registered in the same batch and found with it is the one
/// that found the pair.) Pairs decided since are left out, as they were.
/// </summary>
public static class FirstAnswerCandidates
{
    /// <summary>
    /// The open pairs each of the cases <paramref name="caseIds"/> answered its registration with, keyed by case id, each
    /// list best first. Two statements whatever the number of cases, both by index.
    /// </summary>
    public static async Task<ILookup<Guid, DuplicateCandidate>> ReadAsync(IntakeDbContext db, IEnumerable<Guid> caseIds, CancellationToken ct)
    {
        var ids = caseIds.Distinct().ToList();
        var own = await db.DuplicateCandidates.AsNoTracking()
            .Where(d => ids.Contains(d.CaseId) && d.Status == DuplicateStatus.Open)
            .ToListAsync(ct);
        var flipped = await (
                from d in db.DuplicateCandidates.AsNoTracking()
                join later in db.Cases on d.CaseId equals later.CaseId
                join found in db.Cases on d.OtherCaseId equals found.CaseId
                where ids.Contains(d.OtherCaseId) && d.Status == DuplicateStatus.Open
                      && d.FoundAt == found.RegisteredAt && later.RegisteredAt != d.FoundAt
                select d)
            .ToListAsync(ct);
        return own.Select(d => (For: d.CaseId, Pair: d))
            .Concat(flipped.Select(d => (For: d.OtherCaseId, Pair: d)))
            .OrderByDescending(x => x.Pair.Score)
            .ToLookup(x => x.For, x => x.Pair);
    }
}
