using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Features.Cases;

/// <summary>
/// Loading a case to read or change it, and committing a change with its events and ICRC notifications:
/// the steps every handler of a case shares.
/// </summary>
public sealed class CaseStore(IntakeDbContext db, OutboxSignal<IntakeDbContext> outbox, NotificationSignal notifications)
{
    public async Task<CaptureCase> FindAsync(Guid caseId, bool tracked, CancellationToken ct)
    {
        var cases = tracked ? db.Cases : db.Cases.AsNoTracking();
        return await cases.SingleOrDefaultAsync(c => c.CaseId == caseId, ct)
            ?? throw RpcErrors.NotFound(CaptureCase.ResourceType, caseId.ToString());
    }

    /// <summary>Loads a case to change it: it must exist, not be merged away, and be the caller's revision.</summary>
    public async Task<CaptureCase> FindToChangeAsync(Guid caseId, long revision, CancellationToken ct)
    {
        var found = await FindAsync(caseId, tracked: true, ct);
        found.EnsureOpen();
        if (found.Revision != revision)
        {
            throw RpcErrors.Aborted(CaptureCase.ResourceType, caseId.ToString(), revision, found.Revision);
        }

        return found;
    }

    /// <summary>
    /// The case that answers for an event about <paramref name="caseId"/>: the case itself, or the case
    /// it was merged into (a merged case's obligations belong to the survivor); null when unknown here.
    /// </summary>
    public async Task<CaptureCase?> FindOwnerAsync(Guid caseId, CancellationToken ct)
    {
        var owner = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == caseId, ct);
        while (owner?.MergedIntoCaseId is { } survivor)
        {
            owner = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == survivor, ct);
        }

        return owner;
    }

    /// <summary>Saves a change guarded by the case's revision: a writer that got in between makes this one ABORTED.</summary>
    public async Task SaveChangeAsync(CaptureCase changed, long expectedRevision, CancellationToken ct)
    {
        try
        {
            await CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Cases.AsNoTracking().Where(c => c.CaseId == changed.CaseId).Select(c => c.Revision).SingleAsync(CancellationToken.None);
            throw RpcErrors.Aborted(CaptureCase.ResourceType, changed.CaseId.ToString(), expectedRevision, current);
        }
    }

    /// <summary>
    /// Saves what is pending in one transaction, the new ICRC notifications given their places in the feed
    /// last (<see cref="IcrcFeed.SequenceNotificationsAsync"/>), then wakes the outbox and the feed.
    /// <paramref name="first"/> runs inside the transaction before that (e.g. to insert a case and read the
    /// number the database gave it).
    /// </summary>
    public async Task CommitAsync(CancellationToken ct, Func<CancellationToken, Task>? first = null)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (first is not null)
            {
                await first(ct);
            }

            await db.SequenceNotificationsAsync(ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        outbox.Notify();
        notifications.Notify();
    }
}
