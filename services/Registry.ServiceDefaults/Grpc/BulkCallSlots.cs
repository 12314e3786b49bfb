namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// The slots bulk calls run in (<see cref="GrpcCallOptions.MaxConcurrentBulkCalls"/>, one set per service process):
/// a bulk call may run longer than the database pool's wait (<see cref="GrpcCallOptions.BulkCallTimeout"/>), so no
/// more than this many may hold a session that long. Single calls never wait here. Not disposed: a bulk call may still be
/// running when the host shuts down, and its release must not throw (SemaphoreSlim holds no handle unless one is asked for).
/// </summary>
public sealed class BulkCallSlots(GrpcCallOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentBulkCalls, options.MaxConcurrentBulkCalls);

    /// <summary>Bulk calls running now.</summary>
    public int Running => options.MaxConcurrentBulkCalls - _slots.CurrentCount;

    /// <summary>Runs <paramref name="call"/> in a slot, waiting for one until <paramref name="ct"/> fires (OperationCanceledException).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            return await call();
        }
        finally
        {
            _slots.Release();
        }
    }
}
