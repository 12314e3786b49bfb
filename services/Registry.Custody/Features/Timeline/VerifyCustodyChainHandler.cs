using System.Data;
using Microsoft.EntityFrameworkCore;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;

namespace Registry.Custody.Features.Timeline;

/// <summary>What a verification found: how far the chain held, its head there, whether that is the record's head, the first break.</summary>
public sealed record ChainVerification(long EventCount, string HeadHash, bool HeadMatchesRecord, ChainBreak? FirstBreak)
{
    public bool Intact => FirstBreak is null;
}

/// <summary>
/// Recomputes a case's hash chain from the stored timeline (<see cref="CustodyChain.Check"/>, one event at a time through
/// <see cref="ChainWalk"/>) and answers intact or the first broken event. The timeline is read in keyset pages of
/// <see cref="PageSize"/> events in sequence order, so a long one is never held whole; the walk stops at the first break.
/// The record and its events are read in one snapshot (a repeatable-read transaction), so that a move committed while
/// the walk runs is not taken for a disagreement between the record's head and the timeline.
/// </summary>
public sealed class VerifyCustodyChainHandler(CustodyDbContext db)
{
    public const int PageSize = 500;

    public async Task<ChainVerification> HandleAsync(Guid caseId, CancellationToken ct)
    {
        await using var snapshot = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var record = await db.FindRecordAsync(caseId, tracked: false, ct);
        var walk = new ChainWalk();
        var after = 0L;
        while (walk.Break is null)
        {
            var page = await db.Events.AsNoTracking()
                .Where(e => e.CaseId == caseId && e.Sequence > after)
                .OrderBy(e => e.Sequence)
                .Take(PageSize)
                .ToListAsync(ct);
            foreach (var e in page)
            {
                if (walk.Check(e) is not null)
                {
                    break;
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        var count = walk.Count;
        var head = walk.Head;
        var headMatches = record.EventCount == count && record.HeadHash == head;
        var firstBreak = walk.End(record);
        return new ChainVerification(count, head, headMatches, firstBreak);
    }
}
