using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Registry.ServiceDefaults.Messaging;

public static class Inbox
{
    /// <summary>
    /// Applies <paramref name="apply"/> and records <paramref name="messageId"/> for
    /// <paramref name="consumer"/> in one transaction, saving what <paramref name="apply"/> changed.
    /// Returns false, changing nothing, when the message was applied before: by an earlier delivery,
    /// or by a concurrent one that won the race for the inbox row's primary key. Consumers do not call
    /// it: <see cref="InboxFilter{TConsumer, TDb, TMessage}"/> does, for every consumer registered
    /// through <see cref="RegistryConsumerDefinition{TConsumer, TDb}"/>.
    /// </summary>
    /// <remarks>
    /// <para><b>Two round trips</b> when the message is new and the consumer reads nothing: the inbox row and the
    /// consumer's rows in one batch (Npgsql sends the transaction's <c>BEGIN</c> with the first command instead of
    /// on its own), then <c>COMMIT</c>. The inbox is not asked first: a message applied before meets the inbox
    /// row's primary key (or, when its body is the same, the consumer's own key first), the transaction rolls
    /// back, and only then is the inbox asked whether the message was applied — so a repeat costs a few round
    /// trips more and a new message none. No savepoint is taken around the saves (a failed save fails the attempt).</para>
    /// <para>A unique key other than the inbox's refusing a message the inbox has not seen (a case announced
    /// again under another message id: the record is there already) is not an error yet: the message is applied
    /// once more, in a new transaction, with <see cref="Reapplying"/> true, so that a consumer which inserts
    /// without asking first (<c>OpenCustodyRecordHandler</c>) now asks. A second refusal is thrown, as any
    /// other failure is, to the retry policy.</para>
    /// </remarks>
    public static async Task<bool> ApplyOnceAsync<TDb>(
        this TDb db, Guid messageId, string consumer, TimeProvider clock, Func<CancellationToken, Task> apply, CancellationToken ct)
        where TDb : DbContext, IInboxStore
    {
        try
        {
            return await ApplyInTransactionAsync(db, [messageId], consumer, clock, apply, ct);
        }
        catch (DbUpdateException first)
        {
            if (await AlreadyAppliedAsync(db, messageId, consumer, ct))
            {
                return false;
            }

            if (!IsUniqueViolation(first))
            {
                throw;
            }
        }

        ReapplyingFlag.Value = true;
        try
        {
            return await ApplyInTransactionAsync(db, [messageId], consumer, clock, apply, ct);
        }
        catch (DbUpdateException)
        {
            if (await AlreadyAppliedAsync(db, messageId, consumer, ct))
            {
                return false;
            }

            throw;
        }
        finally
        {
            ReapplyingFlag.Value = false;
        }
    }

    /// <summary>
    /// True while <see cref="ApplyOnceAsync{TDb}"/> applies a message the second time, after a unique key other than
    /// the inbox's refused the first attempt: a consumer that inserts on the strength of a key (one record per case)
    /// without reading first reads first now, and leaves alone what is there already.
    /// </summary>
    public static bool Reapplying => ReapplyingFlag.Value;

    private static readonly AsyncLocal<bool> ReapplyingFlag = new();

    /// <summary>
    /// Applies the messages <paramref name="messageIds"/> for <paramref name="consumer"/> in one transaction: one inbox row
    /// each, <paramref name="apply"/> for all of them, one write of all their rows (<see cref="Data.InsertBatch.OfTracked"/>
    /// when all are new, else the save), one commit (two round trips for the whole batch when <paramref name="apply"/>
    /// reads nothing). All or nothing: on any failure, a message applied before among them
    /// included (its inbox row's primary key), the transaction is rolled back, the context forgets what it tracked and
    /// the exception is thrown; the caller then applies the messages one at a time with <see cref="ApplyOnceAsync{TDb}"/>,
    /// which tells a repeat from a failure (<see cref="InboxSession{TDb}.ApplyBatchAsync{TMessage}"/>).
    /// </summary>
    /// <param name="plans">When given, the batch's INSERTs (the last command before the commit) are planned once per session
    /// (<see cref="Data.GenericPlans.CommandPrefix"/>), not at each batch.</param>
    public static Task ApplyAllAsync<TDb>(
        this TDb db, IReadOnlyCollection<Guid> messageIds, string consumer, TimeProvider clock, Data.GenericPlans? plans,
        Func<CancellationToken, Task> apply, CancellationToken ct)
        where TDb : DbContext, IInboxStore =>
        ApplyInTransactionAsync(db, messageIds, consumer, clock, apply, ct, plans);

    /// <summary>One attempt; on any failure the transaction is rolled back and the context forgets what it tracked.</summary>
    private static async Task<bool> ApplyInTransactionAsync<TDb>(
        TDb db, IReadOnlyCollection<Guid> messageIds, string consumer, TimeProvider clock, Func<CancellationToken, Task> apply, CancellationToken ct,
        Data.GenericPlans? plans = null)
        where TDb : DbContext, IInboxStore
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // EF Core would wrap each save in the transaction in a savepoint (SAVEPOINT before, RELEASE after: two round
        // trips on PostgreSQL) so that a failed save leaves the transaction usable. Nothing here goes on after a failed
        // save: the whole attempt is rolled back below, so the savepoints would only cost.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            var processedAt = clock.GetUtcNow();
            foreach (var messageId in messageIds)
            {
                db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = consumer, ProcessedAt = processedAt });
            }

            // Inside the try: a consumer that saves early (intake's notification sequencing) meets the
            // concurrent duplicate's inbox row there, not at the final save.
            await apply(ct);
            // A batch's rows (an inbox row and what the consumer added, for each of up to a thousand messages) go as
            // multi-row INSERTs in one command when they are all new, not as EF Core's one INSERT a row; a repeat meets
            // the same keys (docs/performance.md, "The garbage collector's dynamic adaptation, and a consumer's batch
            // without the change tracker").
            if (messageIds.Count > 1 && Data.InsertBatch.OfTracked(db) is { } rows)
            {
                await (plans is null ? rows.ExecuteAsync(ct) : rows.ExecuteAsync(plans, ct));
            }
            else
            {
                await db.SaveChangesAsync(ct);
            }

            await transaction.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            throw;
        }
        catch
        {
            // Rolled back as the transaction is disposed; what the attempt added must not reach the next save.
            db.ChangeTracker.Clear();
            throw;
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
    }

    private static Task<bool> AlreadyAppliedAsync<TDb>(TDb db, Guid messageId, string consumer, CancellationToken ct)
        where TDb : DbContext, IInboxStore =>
        db.InboxMessages.AsNoTracking().AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer, ct);

    /// <summary>
    /// A unique key or primary key refused a row: PostgreSQL's 23505; SQLite's SQLITE_CONSTRAINT_UNIQUE (2067) and
    /// SQLITE_CONSTRAINT_PRIMARYKEY (1555), https://www.sqlite.org/rescode.html. Looked for along the inner
    /// exceptions, since a store may wrap it (custody reports its timeline's index as a lost race).
    /// </summary>
    private static bool IsUniqueViolation(Exception error)
    {
        for (var e = error.InnerException; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
                or SqliteException { SqliteExtendedErrorCode: 2067 or 1555 })
            {
                return true;
            }
        }

        return false;
    }
}
