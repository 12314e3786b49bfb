namespace Registry.Intake.Features.Notifications;

/// <summary>
/// Wakes every open ICRC feed when a transaction that raised notifications has committed, so they go
/// out at once rather than at the next poll. Unlike the outbox's signal, every waiter is woken.
/// </summary>
public sealed class NotificationSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns when notified or after <paramref name="timeout"/> (a poll, for writers in other processes).</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var next = Volatile.Read(ref _next).Task;
        await Task.WhenAny(next, Task.Delay(timeout, ct));
        ct.ThrowIfCancellationRequested();
    }
}
