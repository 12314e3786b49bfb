using Microsoft.EntityFrameworkCore;

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
    public static async Task<bool> ApplyOnceAsync<TDb>(
        this TDb db, Guid messageId, string consumer, TimeProvider clock, Func<CancellationToken, Task> apply, CancellationToken ct)
        where TDb : DbContext, IInboxStore
    {
        if (await AlreadyAppliedAsync(db, messageId, consumer, ct))
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = consumer, ProcessedAt = clock.GetUtcNow() });
            // Inside the try: a consumer that saves early (intake's notification sequencing) meets the
            // concurrent duplicate's inbox row there, not at the final save.
            await apply(ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            if (await AlreadyAppliedAsync(db, messageId, consumer, ct))
            {
                return false;
            }

            throw;
        }
    }

    private static Task<bool> AlreadyAppliedAsync<TDb>(TDb db, Guid messageId, string consumer, CancellationToken ct)
        where TDb : DbContext, IInboxStore =>
        db.InboxMessages.AsNoTracking().AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer, ct);
}
