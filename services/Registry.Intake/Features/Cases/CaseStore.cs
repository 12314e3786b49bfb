using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Features.Cases;

/// <summary>
/// Loading a case to read or change it, and committing a change with its events and ICRC notifications:
/// the steps every handler of a case shares.
/// </summary>
public sealed class CaseStore(IntakeDbContext db, OutboxSignal<IntakeDbContext> outbox, NotificationSignal notifications, GenericPlans plans)
{
    /// <summary>The case <paramref name="caseId"/>, tracked to be changed or not; NOT_FOUND (with ResourceInfo) when there is none.</summary>
    public Task<CaptureCase> FindAsync(Guid caseId, bool tracked, CancellationToken ct) =>
        (tracked ? TrackedCase : UntrackedCase).SingleOrNotFoundAsync(db, caseId, CaptureCase.ResourceType, caseId.ToString(), ct);

    // Compiled once per model (CompiledQuery): GetCase, each case-file read and every change of a case start here.
    private static readonly CompiledQuery<IntakeDbContext, Guid, CaptureCase?> TrackedCase =
        new((db, caseId, ct) => db.Cases.SingleOrDefault(c => c.CaseId == caseId));

    private static readonly CompiledQuery<IntakeDbContext, Guid, CaptureCase?> UntrackedCase =
        new((db, caseId, ct) => db.Cases.AsNoTracking().SingleOrDefault(c => c.CaseId == caseId));

    /// <summary>Loads a case to change it: it must exist, not be merged away, and be the caller's revision.</summary>
    public async Task<CaptureCase> FindToChangeAsync(Guid caseId, long revision, CancellationToken ct)
    {
        var found = await FindAsync(caseId, tracked: true, ct);
        found.EnsureOpen();
        EnsureRevision(found, revision);
        return found;
    }

    /// <summary>
    /// Loads two cases to change together (a merge), each checked as <see cref="FindToChangeAsync"/> does: both
    /// open before either revision is compared, so a pair of which one is merged away answers CASE_MERGED, not
    /// ABORTED. One statement reads both: two reads could see one case before a concurrent commit and the
    /// other after it (READ COMMITTED takes a snapshot per statement), and answer for a state that never was.
    /// </summary>
    public async Task<(CaptureCase First, CaptureCase Second)> FindPairToChangeAsync(
        (Guid Id, long Revision) first, (Guid Id, long Revision) second, CancellationToken ct)
    {
        var found = await db.Cases.Where(c => c.CaseId == first.Id || c.CaseId == second.Id).ToListAsync(ct);
        CaptureCase Found(Guid id) => found.SingleOrDefault(c => c.CaseId == id) ?? throw RpcErrors.NotFound(CaptureCase.ResourceType, id.ToString());
        var (a, b) = (Found(first.Id), Found(second.Id));
        a.EnsureOpen();
        b.EnsureOpen();
        EnsureRevision(a, first.Revision);
        EnsureRevision(b, second.Revision);
        return (a, b);
    }

    private static void EnsureRevision(CaptureCase found, long revision)
    {
        if (found.Revision != revision)
        {
            throw RpcErrors.Aborted(CaptureCase.ResourceType, found.CaseId.ToString(), revision, found.Revision);
        }
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

    /// <summary>
    /// Runs a read-check-write of case <paramref name="caseId"/> and, when it lost a race (a guard below
    /// failed at the save), runs it again from the read (<see cref="LostRace.RetryAsync"/>): the loser then
    /// gets the answer it would have got had it come second — ABORTED for a stale revision, the rule that now
    /// refuses (CASE_MERGED, NO_CAPTURE_CARD_DUE, ...) — or succeeds on what is left.
    /// </summary>
    public Task<T> ChangeAsync<T>(Guid caseId, Func<CancellationToken, Task<T>> attempt, CancellationToken ct) =>
        LostRace.RetryAsync(db, CaptureCase.ResourceType, $"cases/{caseId}", attempt, ct);

    /// <summary>
    /// For a write that depends on cases as they were read without changing them (e.g. that they were open):
    /// checks, inside the writing transaction, that each is still at the revision read (an UPDATE that sets
    /// the revision to itself, the case's concurrency token in its WHERE), which on PostgreSQL also locks its
    /// row until the commit. A writer that changed one meanwhile (a merge, a correction) makes this write lose
    /// the race (<see cref="DbUpdateConcurrencyException"/>, retried by <see cref="ChangeAsync"/>). Call it
    /// first in the transaction, before the rows that hang off the cases are changed: every writer of a case
    /// then takes the case's row before its cards or candidates, in the cases' order, so none deadlocks another.
    /// </summary>
    public async Task EnsureUnchangedAsync(CancellationToken ct, params CaptureCase[] read)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A case is held as read only inside the transaction that writes what depends on it.");
        }

        foreach (var c in read.OrderBy(c => c.Number))
        {
            var entry = db.Entry(c);
            if (entry.State == EntityState.Detached)
            {
                entry.State = EntityState.Unchanged;
            }

            if (entry.State == EntityState.Unchanged)
            {
                entry.Property(x => x.Revision).IsModified = true;
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Saves what is pending in one transaction, then wakes the outbox and the sequencer of the ICRC feed, which
    /// gives the new notifications their places after the commit (<see cref="NotificationSequencer"/>: the
    /// transaction takes no shared lock). <paramref name="first"/> runs inside the transaction before the save
    /// (e.g. to insert a case and read the number the database gave it). The transaction's statements are planned once per
    /// session (<see cref="GenericPlans"/>).
    /// </summary>
    public Task CommitAsync(CancellationToken ct, Func<CancellationToken, Task>? first = null) => CommitAsync(first, planFirst: true, ct);

    /// <summary>
    /// Commits a new case written without the change tracker (PostgreSQL only): the case's number and its ICRC notification's
    /// id are taken from their identities' sequences (as ImportCaptures takes them) by the transaction's first statement,
    /// which also asks for generic plans (<see cref="GenericPlans.SetConfigForTransaction"/>): one round trip where the plan
    /// setting took one of its own. <paramref name="write"/> then has what the case's rows need before any of them is
    /// written (the event, the card and the notification name the number), so they can go in one batch
    /// (<see cref="InsertBatch"/>) after duplicate detection, which reads with the number. A number or id taken by a
    /// transaction that rolls back is not used again (a gap in the case numbers, as a failed insert into an identity leaves).
    /// </summary>
    public Task CommitNewAsync(Func<Allotment, CancellationToken, Task> write, CancellationToken ct) =>
        CommitAsync(async token =>
        {
            var allotted = await db.Database.SqlQueryRaw<Allotment>(plans.AppliesTo(db.Database) ? AllotWithPlansSql : AllotSql)
                .ToListAsync(token);
            await write(allotted.Single(), token);
        }, planFirst: false, ct);

    /// <summary>
    /// <see cref="CommitNewAsync(Func{Allotment, CancellationToken, Task}, CancellationToken)"/> for <paramref name="count"/>
    /// new cases written together (ImportCaptures' parts, RegisterCapture calls committed together): <paramref name="before"/>
    /// runs first in the transaction (RegisterCapture calls' duplicate locks, taken before the numbers so that a case another
    /// writer commits while they wait is numbered before theirs; nothing for an import, which takes them in <paramref name="write"/>
    /// after its rows), then one statement takes the <paramref name="count"/> numbers and notification
    /// ids, each list in ascending order (the rows' order), and asks for generic plans, where each took a round trip of its own.
    /// PostgreSQL only.
    /// </summary>
    public Task CommitNewAsync(int count, Func<CancellationToken, Task> before, Func<IReadOnlyList<Allotment>, CancellationToken, Task> write, CancellationToken ct) =>
        CommitAsync(async token =>
        {
            await before(token);
            var allotted = await db.Database.SqlQueryRaw<Allotment>(plans.AppliesTo(db.Database) ? AllotManyWithPlansSql : AllotManySql, count)
                .ToListAsync(token);
            var numbers = allotted.Select(a => a.CaseNumber).Order();
            var ids = allotted.Select(a => a.NotificationId).Order();
            await write([.. numbers.Zip(ids, (number, id) => new Allotment(number, id))], token);
        }, planFirst: false, ct);

    private const string AllotSql =
        """SELECT nextval(pg_get_serial_sequence('cases', 'Number')) AS "CaseNumber", nextval(pg_get_serial_sequence('notifications', 'Id')) AS "NotificationId" """;

    private const string AllotWithPlansSql = AllotSql + "FROM (SELECT " + GenericPlans.SetConfigForTransaction + ") AS plans";

    private const string AllotManySql = AllotSql + "FROM generate_series(1, {0})";

    private const string AllotManyWithPlansSql = AllotManySql + " CROSS JOIN (SELECT " + GenericPlans.SetConfigForTransaction + ") AS plans";

    /// <summary>What <see cref="CommitNewAsync"/> takes from the identities for a new case: its number and its notification's id.</summary>
    public sealed record Allotment(long CaseNumber, long NotificationId);

    private async Task CommitAsync(Func<CancellationToken, Task>? first, bool planFirst, CancellationToken ct)
    {
        // No savepoint around each save (EF Core's default inside a transaction: SAVEPOINT and RELEASE, two round
        // trips a save): nothing here goes on after a failed save, the whole transaction is rolled back.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // A case's writes look rows up by key: planned once per session (a registration's duplicate detection
            // planned at every call cost PostgreSQL more than running it). A new case's first statement asks for it itself.
            if (planFirst)
            {
                await plans.UseForTransactionAsync(db.Database, ct);
            }

            if (first is not null)
            {
                await first(ct);
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }

        outbox.Notify();
        notifications.Notify();
    }
}
