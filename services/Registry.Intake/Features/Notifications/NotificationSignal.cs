namespace Registry.Intake.Features.Notifications;

/// <summary>
/// A wake-up that every waiter hears (unlike the outbox's signal, which wakes one dispatcher). Two of them:
/// <see cref="NotificationSignal"/> when a transaction that raised notifications has committed (it wakes the
/// <see cref="NotificationSequencer"/>), and <see cref="FeedSignal"/> when the sequencer has given places (it
/// wakes every open feed). A waiter also returns after its timeout, for writers in other processes.
/// </summary>
public abstract class BroadcastSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Completes at the next <see cref="Notify"/>. Take it before looking for work and wait on it after
    /// (<see cref="WaitAsync(Task, TimeSpan, CancellationToken)"/>), so a notification that comes while the work
    /// is done is not lost until the next poll.
    /// </summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Returns when notified or after <paramref name="timeout"/> (a poll, for writers in other processes).</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => WaitAsync(Next, timeout, ct);

    /// <summary>Returns when <paramref name="next"/> (from <see cref="Next"/>) completed or after <paramref name="timeout"/>.</summary>
    public static async Task WaitAsync(Task next, TimeSpan timeout, CancellationToken ct)
    {
        await Task.WhenAny(next, Task.Delay(timeout, ct));
        ct.ThrowIfCancellationRequested();
    }
}

/// <summary>
/// Notifications were committed without a place in the feed: wakes the <see cref="NotificationSequencer"/>, so
/// they get their places at once rather than at its next poll. Writers call it after their commit.
/// </summary>
public sealed class NotificationSignal : BroadcastSignal;

/// <summary>Notifications got their places in the feed: wakes every open feed (<see cref="StreamNotificationsHandler"/>).</summary>
public sealed class FeedSignal : BroadcastSignal;
