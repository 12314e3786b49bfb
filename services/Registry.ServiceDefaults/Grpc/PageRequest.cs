namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// A validated <c>page_size</c> + <c>page_token</c> pair (AIP-158): <see cref="Size"/> is 1..<see cref="PageTokens.MaxPageSize"/>,
/// <see cref="Position"/> the opaque position the token carried ("" for the first page), and
/// <see cref="Query"/> the canonical text of the query the token is tied to (a token of another query is
/// refused as INVALID_ARGUMENT on <c>page_token</c>).
/// </summary>
public sealed record PageRequest(int Size, string Query, string Position)
{
    /// <summary>The next page's token when this page came back full, else "" (the last page).</summary>
    public string NextToken<T>(IReadOnlyList<T> page, Func<T, string> position) =>
        page.Count == Size && page.Count > 0 ? PageTokens.Create(position(page[^1]), Query) : "";
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
