using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Data;

public static class Lookups
{
    /// <summary>
    /// The one row <paramref name="match"/> selects, or NOT_FOUND naming <paramref name="resourceType"/> and
    /// <paramref name="name"/> (with <c>google.rpc.ResourceInfo</c>).
    /// </summary>
    public static async Task<T> SingleOrNotFoundAsync<T>(
        this IQueryable<T> source, Expression<Func<T, bool>> match, string resourceType, string name, CancellationToken ct)
        where T : class =>
        await source.SingleOrDefaultAsync(match, ct) ?? throw RpcErrors.NotFound(resourceType, name);

    /// <summary>
    /// The one row <paramref name="query"/> finds for <paramref name="key"/>, or NOT_FOUND naming <paramref name="resourceType"/>
    /// and <paramref name="name"/> (with <c>google.rpc.ResourceInfo</c>): the compiled form of the look-up above.
    /// </summary>
    public static async Task<T> SingleOrNotFoundAsync<TContext, TKey, T>(
        this CompiledQuery<TContext, TKey, T?> query, TContext db, TKey key, string resourceType, string name, CancellationToken ct)
        where TContext : DbContext
        where T : class =>
        await query.RunAsync(db, key, ct) ?? throw RpcErrors.NotFound(resourceType, name);
}
