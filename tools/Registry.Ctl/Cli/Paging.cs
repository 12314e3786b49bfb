using System.CommandLine;
using Spectre.Console;

namespace Registry.Ctl.Cli;

/// <summary>
/// A list command's <c>--page-size</c> and <c>--page-token</c>: one page a call, as the RPC pages it; the table ends
/// with how many rows and, when there are more, the <c>--page-token</c> of the next page (JSON: <c>nextPageToken</c>).
/// </summary>
public sealed class Paging(string rows, int defaultSize)
{
    public Option<int> Size { get; } = new("--page-size") { Description = $"{rows} a page, 1 to 500 (default {defaultSize}).", DefaultValueFactory = _ => defaultSize };

    public Option<string?> Token { get; } = new("--page-token") { Description = "The next page, as the previous page printed it." };

    /// <summary>The two options, to add to a command.</summary>
    public IEnumerable<Option> Options => [Size, Token];

    public int SizeOf(ParseResult parse) => parse.GetValue(Size);

    public string TokenOf(ParseResult parse) => parse.Text(Token);

    /// <summary>"3 case(s)", with the next page's option when there is one (markup-safe).</summary>
    public static string Footer(int count, string what, string nextPageToken) =>
        $"{count} {what}" + (nextPageToken.Length > 0 ? $"; next page: --page-token {Output.Safe(nextPageToken)}" : "");

    /// <summary>A page as a table, a row a <paramref name="rows"/> item (its <paramref name="cells"/>, plain text), then the <see cref="Footer"/>.</summary>
    public static void Write<T>(IAnsiConsole console, IReadOnlyCollection<T> rows, string what, string nextPageToken, string[] columns, Func<T, string?[]> cells)
    {
        var table = new Table().AddColumns(columns);
        foreach (var row in rows)
        {
            table.Row(cells(row));
        }

        console.Write(table);
        console.MarkupLine(Footer(rows.Count, what, nextPageToken));
    }
}
