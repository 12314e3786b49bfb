using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Notifications;

/// <summary>
/// The ICRC's feed (GC III Art. 122, 123): every notification after a cursor, in sequence order, then new ones as
/// they get their places (<see cref="NotificationSequencer"/>, which wakes the feed), until the reader hangs up. Only
/// placed notifications are read: one committed a moment ago waits for its place, which comes after every place read.
/// Writing a notification into the stream does not deliver it: the reader may hang up before it arrives. Resuming after a cursor proves the reader received everything through it,
/// so the resume acknowledges them (<see cref="AcknowledgeNotificationsHandler"/>); a cursor beyond the feed's end
/// is refused there, before anything is streamed.
/// </summary>
public sealed class StreamNotificationsHandler(IntakeDbContext db, FeedSignal signal, AcknowledgeNotificationsHandler acknowledge)
{
    private const int Batch = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <param name="after">The cursor: the place of the last notification the reader received, 0 for the feed's beginning.</param>
    /// <param name="open">Runs once the cursor is accepted (acknowledged), before the first read: the gRPC method sends its
    /// response headers there, so that a reader at the feed's end, with nothing to receive yet, knows the stream is open
    /// rather than waiting (and a client's header timeout cutting it) until the next notification.</param>
    public async IAsyncEnumerable<IcrcNotification> HandleAsync(long after, Func<Task> open, [EnumeratorCancellation] CancellationToken ct)
    {
        if (after > 0)
        {
            await acknowledge.HandleAsync(after, ct);
        }

        await open();

        while (!ct.IsCancellationRequested)
        {
            var placed = signal.Next; // before the read: places given during it wake the wait below at once
            var batch = await db.Notifications.AsNoTracking()
                .Where(n => n.Sequence > after).OrderBy(n => n.Sequence).Take(Batch).ToListAsync(ct);
            foreach (var notification in batch)
            {
                yield return notification;
                after = notification.Sequence!.Value;
            }

            if (batch.Count < Batch)
            {
                try
                {
                    await BroadcastSignal.WaitAsync(placed, Poll, ct);
                }
                catch (OperationCanceledException)
                {
                    yield break; // the ICRC hung up; it resumes from its last cursor, acknowledging what it received
                }
            }
        }
    }
}
