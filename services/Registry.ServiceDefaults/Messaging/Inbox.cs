using Microsoft.EntityFrameworkCore;

namespace Registry.ServiceDefaults.Messaging;

public static class Inbox
{
    /// <summary>
    /// Applies <paramref name="apply"/> and records <paramref name="messageId"/> for
    /// <paramref name="consumer"/> in one transaction. Returns false, changing nothing, when the
    /// message was applied before: by an earlier delivery, or by a concurrent one that won the race
    /// for the inbox row's primary key.
    /// </summary>
    public static async Task<bool> ApplyOnceAsync<TDb>(
        this TDb db, Guid messageId, string consumer, Func<CancellationToken, Task> apply, CancellationToken ct)
        where TDb : DbContext, IInboxStore
    {
        if (await AlreadyAppliedAsync(db, messageId, consumer, ct))
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = consumer, ProcessedAt = DateTimeOffset.UtcNow });
        await apply(ct);
        try
        {
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
