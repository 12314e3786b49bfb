using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.ServiceDefaults.Messaging;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// Reads the outbox of <typeparamref name="TDb"/> for <see cref="OutboxMetrics.PendingRows"/> and
/// <see cref="OutboxMetrics.OldestPendingAge"/>: the unsent, unparked rows (two reads of the partial index
/// <c>ix_outbox_messages_unsent</c>: the count, and the first row's time, ids rising with time). Separate from the
/// dispatcher, so that a dispatcher that stopped publishing is seen.
/// </summary>
public sealed class OutboxBacklogProbe<TDb>(IServiceScopeFactory scopes, TimeProvider clock) : IGaugeProbe
    where TDb : DbContext, IOutboxStore
{
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var unsent = db.OutboxMessages.AsNoTracking().Where(m => m.SentAt == null && m.ParkedAt == null);
        var pending = await unsent.LongCountAsync(cancellationToken);
        var oldest = pending == 0 ? (DateTimeOffset?)null
            : await unsent.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        OutboxMetrics.BacklogOf(typeof(TDb).Name, pending, oldest, clock);
    }
}
