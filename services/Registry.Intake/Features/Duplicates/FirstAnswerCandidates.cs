using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Duplicates;

/// <summary>
/// The duplicate candidates a replayed registration answers with again (RegisterCapture and ImportCaptures rows whose
/// request_id is on file): the open pairs its registration found, best first. Pairs are kept later case first
/// (<see cref="DuplicateCandidate.LaterFirst"/>), so most of them are the case's own (<c>CaseId</c> the case, found when the
/// case was registered: <c>FoundAt</c> its registration time, not a pair another registration or a correction found later); a case found
/// that came out numbered after it (committed while the registration waited on the duplicate locks) is kept the other way
/// round, <c>OtherCaseId</c> the case, and is told from a pair a later registration found by its time: found when the case
/// was registered, by a case registered at another time. (A case registered in the same batch and found with it is the one
/// that found the pair.) Pairs decided since are left out, as they were.
/// </summary>
public static class FirstAnswerCandidates
{
    /// <summary>
    /// The open pairs each of the cases <paramref name="caseIds"/> answered its registration with, keyed by case id, each
    /// list best first as the registration answered it (match weight, then the newer case). Two statements whatever the
    /// number of cases, both by index.
    /// </summary>
    public static async Task<ILookup<Guid, DuplicateCandidate>> ReadAsync(IntakeDbContext db, IEnumerable<Guid> caseIds, CancellationToken ct)
    {
        var ids = caseIds.Distinct().ToList();
        // The case's own pairs found when it was registered: a pair kept with the case first may also have been found by an
        // earlier-numbered case that committed after it (an import part finds cases committed while it waited for the locks,
        // docs/performance.md, "An import part's rows written before its duplicate locks"), or by a later correction; neither
        // was in the registration's answer.
        var own = await (
                from d in db.DuplicateCandidates.AsNoTracking()
                join owner in db.Cases on d.CaseId equals owner.CaseId
                where ids.Contains(d.CaseId) && d.Status == DuplicateStatus.Open && d.FoundAt == owner.RegisteredAt
                select d)
            .ToListAsync(ct);
        var flipped = await (
                from d in db.DuplicateCandidates.AsNoTracking()
                join later in db.Cases on d.CaseId equals later.CaseId
                join found in db.Cases on d.OtherCaseId equals found.CaseId
                where ids.Contains(d.OtherCaseId) && d.Status == DuplicateStatus.Open
                      && d.FoundAt == found.RegisteredAt && later.RegisteredAt != d.FoundAt
                select d)
            .ToListAsync(ct);
        // In the first answer's order (DuplicateFinder): by match weight, then the newer case found first. By the score alone,
        // candidates that tie (cases of one record) came in the read's order: a replay listed them otherwise than the first
        // answer, and ImportCaptures' report named another best candidate for a quarter of a trial's rows.
        return own.Select(d => (For: d.CaseId, Found: d.OtherCaseNumber, Pair: d))
            .Concat(flipped.Select(d => (For: d.OtherCaseId, Found: d.CaseNumber, Pair: d)))
            .OrderByDescending(x => x.Pair.MatchWeight)
            // Pairs kept before match weights were stored (MatchWeight 0) were answered by score.
            .ThenByDescending(x => x.Pair.Score)
            .ThenByDescending(x => x.Found)
            .ToLookup(x => x.For, x => x.Pair);
    }
}
