using System.Diagnostics;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the dispatcher of one DbContext's outbox as soon as a transaction that wrote to it has committed, so that events
/// leave without waiting for the next poll; and remembers when the first such commit since the dispatcher's last round
/// came, so that the dispatcher can let the commits of the next few milliseconds join it (<see cref="LingerAsync"/>,
/// <see cref="OutboxDispatch.Linger"/>).
/// </summary>
public sealed class OutboxSignal<TDb>
{
    /// <summary>In <see cref="_firstNotified"/>: nothing since the last round.</summary>
    private const long None = 0;

    /// <summary>In <see cref="_firstNotified"/>: <see cref="Wake"/> was called, the next round does not wait.</summary>
    private const long AtOnce = 1;

    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> of the first <see cref="Notify"/> since <see cref="LingerAsync"/> last ran, or <see cref="None"/>, <see cref="AtOnce"/>.</summary>
    private long _firstNotified = None;

    /// <summary>A transaction that wrote outbox rows has committed: wake the dispatcher (it may wait a little for more, <see cref="LingerAsync"/>).</summary>
    public void Notify()
    {
        Interlocked.CompareExchange(ref _firstNotified, Stopwatch.GetTimestamp(), None);
        Release();
    }

    /// <summary>Wake the dispatcher for a round at once, without waiting for more commits (rows held back until now are due: a cap freed up, a row to publish again).</summary>
    public void Wake()
    {
        Interlocked.Exchange(ref _firstNotified, AtOnce);
        Release();
    }

    /// <summary>Waits for <see cref="Notify"/> or <see cref="Wake"/>, at most <paramref name="timeout"/>: true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    /// <summary>
    /// Before a round that a commit woke: waits until <paramref name="linger"/> has passed since the first commit that
    /// notified since the last round (real time, not the registry's clock, which tests move), so that the commits made
    /// meanwhile are read by the same round and their events share bundles and deliveries. Returns at once when
    /// <paramref name="linger"/> is zero, when that much time has passed already (a busy dispatcher whose rounds take longer
    /// adds no delay), or when <see cref="Wake"/> came before it (one during its wait does not cut it short).
    /// </summary>
    public async Task LingerAsync(TimeSpan linger, CancellationToken ct)
    {
        var first = Interlocked.Read(ref _firstNotified);
        if (linger > TimeSpan.Zero && first > AtOnce && linger - Stopwatch.GetElapsedTime(first) is var left && left > TimeSpan.Zero)
        {
            await Task.Delay(left, ct);
        }

        // The commits that notified while this waited are read by this round: their wake-up is taken back, else the next round
        // would start at once and find nothing, or one commit's rows (a review of this change's first form). Commits from here
        // on notify for the next round; one made between this and the read is read by this round and wakes the next, which
        // then finds little: harmless.
        _signal.Wait(0);
        Interlocked.Exchange(ref _firstNotified, None);
    }

    private void Release()
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
}
