using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Xunit;

namespace Registry.Testing;

/// <summary>
/// Checks of a read by key that runs as a query EF Core compiled once (<c>CompiledQuery</c> in ServiceDefaults), on a context
/// from <c>ServiceFixture.IsolatedContextAsync</c>, whose query cache is its own and starts empty.
/// </summary>
public static class CompiledReads
{
    /// <summary>
    /// <paramref name="find"/> (key, tracked) on <paramref name="db"/>: untracked it returns the row of <paramref name="key"/>
    /// and tracks nothing, tracked it returns it tracked and unchanged, and an unknown key answers NOT_FOUND. Returns the
    /// untracked row, for the caller's own checks.
    /// </summary>
    public static async Task<T> FindsByKeyAsync<T>(DbContext db, Guid key, Func<Guid, bool, Task<T>> find) where T : class
    {
        var untracked = await find(key, false);
        Assert.Empty(db.ChangeTracker.Entries());
        var tracked = await find(key, true);
        Assert.Equal(EntityState.Unchanged, db.Entry(tracked).State);
        var missing = await Assert.ThrowsAsync<RpcException>(() => find(Guid.NewGuid(), false));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        return untracked;
    }

    /// <summary>
    /// The reads made on <paramref name="db"/> so far left no LINQ query in its cache, and the cache does keep one:
    /// <paramref name="linqRead"/>, a LINQ query reading the same, leaves exactly one.
    /// </summary>
    public static async Task LeftNoLinqQueryAsync(DbContext db, Func<Task> linqRead)
    {
        Assert.Equal(0, QueryCacheEntries(db));
        await linqRead();
        Assert.Equal(1, QueryCacheEntries(db));
    }

    /// <summary>
    /// The LINQ queries EF Core keeps compiled in <paramref name="db"/>'s query cache, one per shape it ran: the entries keyed by
    /// a compiled-query cache key (the same memory cache holds other entries, such as each query's SQL for its parameters'
    /// nullness, which a compiled query makes too).
    /// </summary>
    public static int QueryCacheEntries(DbContext db) =>
        ((MemoryCache)db.GetService<IMemoryCache>()).Keys.Count(k => k.GetType().Name.EndsWith("CompiledQueryCacheKey", StringComparison.Ordinal));
}
