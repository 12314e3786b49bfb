using Grpc.Core;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// The slots bulk calls run in (<see cref="GrpcCallOptions.MaxConcurrentBulkCalls"/>, one set per service process):
/// a bulk call may run longer than the database pool's wait (<see cref="GrpcCallOptions.BulkCallTimeout"/>), so no
/// more than this many may hold a session that long, and at most <see cref="GrpcCallOptions.MaxWaitingBulkCalls"/> wait for
/// one. Single calls never wait here. Not disposed: a bulk call may still be
/// running when the host shuts down, and its release must not throw (SemaphoreSlim holds no handle unless one is asked for).
/// </summary>
public sealed class BulkCallSlots(GrpcCallOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentBulkCalls, options.MaxConcurrentBulkCalls);

    /// <summary>Bulk calls running now.</summary>
    public int Running => options.MaxConcurrentBulkCalls - _slots.CurrentCount;

    private int _waiting;

    /// <summary>Bulk calls waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Runs <paramref name="call"/> in a slot, waiting for one until <paramref name="ct"/> fires (OperationCanceledException);
    /// when <see cref="GrpcCallOptions.MaxWaitingBulkCalls"/> calls already wait, refuses it at once
    /// (<see cref="RpcErrors.BulkCallsBusy"/>, RESOURCE_EXHAUSTED with a RetryInfo of a second).
    /// </summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        if (!_slots.Wait(0))
        {
            if (Interlocked.Increment(ref _waiting) > options.MaxWaitingBulkCalls)
            {
                var waiting = Interlocked.Decrement(ref _waiting);
                throw RpcErrors.BulkCallsBusy(Running, waiting, TimeSpan.FromSeconds(1));
            }

            try
            {
                await _slots.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Given up while waiting (the caller's deadline, its hang-up, or the service's bound: CallLimitsInterceptor
                // answers DEADLINE_EXCEEDED for that): nothing was done, a status without the framework's stack trace.
                throw new GivenUpWhileWaitingException("The call was given up while it waited for a bulk-call slot; nothing of it was done.");
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

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
