namespace Registry.Ctl.Import;

/// <summary>
/// How many of an import's calls may be in flight, adapted to what the registry answers, as TCP's congestion control adapts
/// its window (additive increase, multiplicative decrease: RFC 5681 §3.1): at first <c>--parallel</c>; a call that ran out
/// of its deadline or was refused RESOURCE_EXHAUSTED halves it (at least one), since calls beyond the registry's bulk slots
/// (<c>Grpc:MaxConcurrentBulkCalls</c>, 2 by default) only wait in its queue while their deadlines run, and their retries
/// join the same queue; each run of answered calls as long as the limit adds one back, up to <c>--parallel</c>.
/// </summary>
internal sealed class CallGate(int most)
{
    private readonly int _most = most;
    private readonly Lock _lock = new();
    private int _allowed = most;
    private int _inFlight;
    private int _answered;
    private TaskCompletionSource? _freed;

    /// <summary>The lowest the limit went: <c>--parallel</c> when the registry never asked for fewer calls.</summary>
    public int Least { get; private set; } = most;

    /// <summary>Waits until a call may be sent; <see cref="Exit"/> once it has its answer or failed.</summary>
    public async Task EnterAsync(CancellationToken ct)
    {
        while (true)
        {
            Task freed;
            lock (_lock)
            {
                if (_inFlight < _allowed)
                {
                    _inFlight++;
                    return;
                }

                freed = (_freed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await freed.WaitAsync(ct);
        }
    }

    /// <summary>A call is over: <paramref name="congested"/> when it ran out of time or the registry was busy, else answered or failed otherwise.</summary>
    public void Exit(bool congested)
    {
        lock (_lock)
        {
            _inFlight--;
            if (congested)
            {
                _allowed = Math.Max(1, _allowed / 2);
                _answered = 0;
                Least = Math.Min(Least, _allowed);
            }
            else if (_allowed < _most && ++_answered >= _allowed)
            {
                _allowed++;
                _answered = 0;
            }

            _freed?.TrySetResult();
            _freed = null;
        }
    }
}
