namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// A validated <c>page_size</c> + <c>page_token</c> pair (AIP-158): <see cref="Size"/> is 1..<see cref="PageTokens.MaxPageSize"/>,
/// <see cref="Position"/> the opaque position the token carried ("" for the first page), and
/// <see cref="Query"/> the canonical text of the query the token is tied to (a token of another query is
/// refused as INVALID_ARGUMENT on <c>page_token</c>).
/// </summary>
public sealed record PageRequest(int Size, string Query, string Position)
{
    /// <summary>
    /// The next page's token when this page came back full, else "" (the last page). A full page may be the last
    /// (its token then gives an empty page): a list that read one row beyond the page knows, and passes <c>more</c>.
    /// </summary>
    public string NextToken<T>(IReadOnlyList<T> page, Func<T, string> position) =>
        page.Count == Size && page.Count > 0 ? PageTokens.Create(position(page[^1]), Query) : "";

    /// <summary>The next page's token when rows follow this page (<paramref name="more"/>: one was read beyond it), else "" (the last page).</summary>
    public string NextToken<T>(IReadOnlyList<T> page, bool more, Func<T, string> position) =>
        more && page.Count > 0 ? PageTokens.Create(position(page[^1]), Query) : "";

    /// <summary>
    /// Splits the rows of a query that read <see cref="Size"/> + 1 of them into the page and whether more follow, so
    /// that the last page carries no token even when it is full (AIP-158: an empty next_page_token ends the list).
    /// </summary>
    public (List<T> Page, bool More) Trim<T>(List<T> rows)
    {
        var more = rows.Count > Size;
        if (more)
        {
            rows.RemoveRange(Size, rows.Count - Size);
        }

        return (rows, more);
    }
}

public static class PageRequestFields
{
    /// <summary>
    /// Reads <c>page_size</c> and <c>page_token</c> of a List request into <paramref name="errors"/>:
    /// a size outside 1..500 or a token not issued for <paramref name="query"/> is a field violation.
    /// </summary>
    public static PageRequest Page(this FieldViolations errors, int pageSize, string? pageToken, string query) =>
        new(errors.PageSize("page_size", pageSize), query, errors.PagePosition("page_token", pageToken, query));
}
