using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Notifications;

/// <summary>
/// The ICRC's feed (GC III Art. 122, 123): every notification after a cursor, in sequence order, then
/// new ones as they are committed, until the reader hangs up. A batch is marked delivered once the
/// reader has taken all of it.
/// </summary>
public sealed class StreamNotificationsHandler(IntakeDbContext db, NotificationSignal signal, TimeProvider clock)
{
    private const int Batch = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async IAsyncEnumerable<IcrcNotification> HandleAsync(long after, [EnumeratorCancellation] CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var batch = await db.Notifications.AsNoTracking()
                .Where(n => n.Sequence > after).OrderBy(n => n.Sequence).Take(Batch).ToListAsync(ct);
            foreach (var notification in batch)
            {
                yield return notification;
                after = notification.Sequence!.Value;
            }

            if (batch.Count > 0)
            {
                var sent = batch.Select(n => n.Id).ToList();
                var now = clock.GetUtcNow().ToMicroseconds();
                await db.Notifications.Where(n => sent.Contains(n.Id) && n.DeliveredAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(n => n.DeliveredAt, now), ct);
            }

            if (batch.Count < Batch)
            {
                try
                {
                    await signal.WaitAsync(Poll, ct);
                }
                catch (OperationCanceledException)
                {
                    yield break; // the ICRC hung up; it resumes from its last cursor
                }
            }
        }
    }
}
