namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the dispatcher of one DbContext's outbox as soon as a transaction that wrote to it has
/// committed, so that events leave without waiting for the next poll.
/// </summary>
public sealed class OutboxSignal<TDb>
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another writer woke it first; one wake-up is enough.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
