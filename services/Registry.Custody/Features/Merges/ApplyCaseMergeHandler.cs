using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Custody.Features.Merges;

/// <summary>
/// Follows intake's merge of two cases of one person (<see cref="CasesMerged"/>): the survivor's record takes the
/// merged record's state, and each timeline takes one event (<see cref="CustodyRecord.Absorb"/>). Called by the
/// consumer inside its inbox transaction; adds to the context and leaves the save to the caller. Both records'
/// versions guard it, so an admission racing the merge either lands first (and is carried over) or loses and is
/// refused CASE_MERGED when retried.
/// </summary>
/// <remarks>
/// Messages arrive in any order across queues. A record not opened yet (its CaseRegistered still on the way) makes
/// the delivery fail and be retried (<see cref="Registry.ServiceDefaults.Messaging.ConsumerRetry"/>), then wait in
/// the error queue; a survivor itself merged since is followed to the case that answers now; a merge applied before
/// (another message id for the same merge) changes nothing.
/// </remarks>
public sealed class ApplyCaseMergeHandler(CustodyDbContext db, TimeProvider clock)
{
    /// <returns>The survivor's record as it now stands, or null when the merge was applied before.</returns>
    public async Task<CustodyRecord?> HandleAsync(CasesMerged m, CancellationToken ct)
    {
        var merged = await db.Records.SingleOrDefaultAsync(r => r.CaseId == m.MergedCaseId, ct) ?? throw NotOpenYet(m.MergedCaseNumber);
        if (merged.MergedIntoCaseId is not null)
        {
            return null;
        }

        var survivor = await db.Records.SingleOrDefaultAsync(r => r.CaseId == m.SurvivorCaseId, ct) ?? throw NotOpenYet(m.SurvivorCaseNumber);
        for (var hops = 0; survivor.MergedIntoCaseId is { } next && hops < 100; hops++)
        {
            survivor = await db.Records.SingleOrDefaultAsync(r => r.CaseId == next, ct) ?? throw NotOpenYet(next.ToString());
        }

        var events = survivor.Absorb(merged, m.MergedAt.ToMicroseconds(), clock.GetUtcNow().ToMicroseconds());
        db.Events.AddRange(events.All);
        return survivor;
    }

    private static InvalidOperationException NotOpenYet(string caseNumber) =>
        new($"The custody record of case {caseNumber} is not open yet (its CaseRegistered has not been applied); the merge is tried again.");
}
