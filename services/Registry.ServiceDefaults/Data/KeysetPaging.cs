using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Data;

/// <summary>One page of a keyset-paged list and the token of the next (empty on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken);

/// <summary>
/// The one keyset-paging path of every List RPC: the rows after the position the page token carries,
/// in key order, at most <see cref="PageRequest.Size"/> of them, with the token of the next page (one row more is read,
/// so the last page carries none even when it is full). Keyset
/// (not OFFSET) so that a page costs the same deep in a long list and rows added meanwhile are neither
/// skipped nor served twice. A position that does not parse (a token forged with the right fingerprint)
/// is INVALID_ARGUMENT on <c>page_token</c>.
/// </summary>
public static class KeysetPaging
{
    /// <summary>Pages by one increasing <c>long</c> key (an identity column or a sequence number).</summary>
    public static async Task<Page<T>> ToKeysetPageAsync<T>(
        this IQueryable<T> source, PageRequest page, Expression<Func<T, long>> key, CancellationToken ct)
    {
        var after = PositionAfter(page);
        var greater = Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(key.Body, Expression.Constant(after)), key.Parameters);
        var (items, more) = page.Trim(await source.Where(greater).OrderBy(key).Take(page.Size + 1).ToListAsync(ct));
        var read = key.Compile();
        return new Page<T>(items, page.NextToken(items, more, i => read(i).ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// The key a page of <see cref="ToKeysetPageAsync{T}(IQueryable{T}, PageRequest, Expression{Func{T, long}}, CancellationToken)"/>
    /// starts after: <see cref="long.MinValue"/> for the first page. A position that does not parse is INVALID_ARGUMENT on <c>page_token</c>.
    /// </summary>
    public static long PositionAfter(PageRequest page) => page.Position.Length == 0 ? long.MinValue : ParseLong(page.Position);

    /// <summary>
    /// Pages by an instant then a <c>long</c> tie-breaker (e.g. encounters in the order they took place):
    /// rows with <c>(first, then) &gt; position</c>, ordered by both.
    /// </summary>
    public static Task<Page<T>> ToKeysetPageAsync<T>(
        this IQueryable<T> source, PageRequest page, Expression<Func<T, DateTimeOffset>> first, Expression<Func<T, long>> then, CancellationToken ct)
        => PageByInstantAsync(source, page, first, then, descending: false, ct);

    /// <summary>
    /// As <see cref="ToKeysetPageAsync{T}(IQueryable{T}, PageRequest, Expression{Func{T, DateTimeOffset}}, Expression{Func{T, long}}, CancellationToken)"/>,
    /// newest first (e.g. assessments, the latest first): rows with <c>(first, then) &lt; position</c>, ordered by both descending.
    /// </summary>
    public static Task<Page<T>> ToKeysetPageDescendingAsync<T>(
        this IQueryable<T> source, PageRequest page, Expression<Func<T, DateTimeOffset>> first, Expression<Func<T, long>> then, CancellationToken ct)
        => PageByInstantAsync(source, page, first, then, descending: true, ct);

    private static async Task<Page<T>> PageByInstantAsync<T>(
        IQueryable<T> source, PageRequest page, Expression<Func<T, DateTimeOffset>> first, Expression<Func<T, long>> then, bool descending, CancellationToken ct)
    {
        if (page.Position.Length > 0)
        {
            var (at, id) = ParseInstantAndLong(page.Position);
            var row = first.Parameters[0];
            var firstBody = new ParameterRebinder(first.Parameters[0], row).Visit(first.Body);
            var thenBody = new ParameterRebinder(then.Parameters[0], row).Visit(then.Body);
            var atConstant = Expression.Constant(at);
            Func<Expression, Expression, BinaryExpression> beyond = descending ? Expression.LessThan : Expression.GreaterThan;
            var after = Expression.OrElse(
                beyond(firstBody, atConstant),
                Expression.AndAlso(Expression.Equal(firstBody, atConstant), beyond(thenBody, Expression.Constant(id))));
            source = source.Where(Expression.Lambda<Func<T, bool>>(after, row));
        }

        var ordered = descending ? source.OrderByDescending(first).ThenByDescending(then) : source.OrderBy(first).ThenBy(then);
        var (items, more) = page.Trim(await ordered.Take(page.Size + 1).ToListAsync(ct));
        var readFirst = first.Compile();
        var readThen = then.Compile();
        return new Page<T>(items, page.NextToken(items, more, i =>
            $"{readFirst(i).UtcTicks.ToString(CultureInfo.InvariantCulture)}:{readThen(i).ToString(CultureInfo.InvariantCulture)}"));
    }

    private static long ParseLong(string position) =>
        long.TryParse(position, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw BadToken();

    private static (DateTimeOffset At, long Id) ParseInstantAndLong(string position)
    {
        var parts = position.Split(':');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : throw BadToken();
    }

    private static Exception BadToken() =>
        RpcErrors.InvalidArgument([new Google.Rpc.BadRequest.Types.FieldViolation { Field = "page_token", Description = "is not a page token of this query; start again without one" }]);

    private sealed class ParameterRebinder(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
