using System.Text;

namespace Registry.ServiceDefaults.Security;

/// <summary>Renders the access table as the Markdown table README.md shows (a test keeps the two equal).</summary>
public static class AccessTableMarkdown
{
    public const string Begin = "<!-- access-table:begin (generated from services/Registry.ServiceDefaults/Security/access-table.json) -->";
    public const string End = "<!-- access-table:end -->";

    public static string Render(AccessTable table)
    {
        var text = new StringBuilder();
        text.AppendLine(Begin);
        text.AppendLine($"| RPC | {string.Join(" | ", RegistryRoles.All)} |");
        text.AppendLine($"| --- |{string.Concat(RegistryRoles.All.Select(_ => " --- |"))}");
        foreach (var row in table.Rows.OrderBy(r => r.Method, StringComparer.Ordinal))
        {
            var method = row.AgencyField is null ? $"`{row.Method}`" : $"`{row.Method}` (agency {(row.AgencyIsFilter ? "filter" : "field")} `{row.AgencyField}`)";
            var cells = RegistryRoles.All.Select(role => row.Roles.TryGetValue(role, out var scope) ? AccessTable.Name(scope) : "—");
            text.AppendLine($"| {method} | {string.Join(" | ", cells)} |");
        }

        text.AppendLine(End);
        return text.ToString();
    }

    /// <summary><paramref name="readme"/> with its generated block replaced by <paramref name="rendered"/>.</summary>
    /// <exception cref="InvalidOperationException">The README has no generated block.</exception>
    public static string Replace(string readme, string rendered)
    {
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new InvalidOperationException("README.md has no access-table block (the Begin and End markers).");
        }

        var after = end + End.Length;
        if (after < readme.Length && readme[after] == '\n')
        {
            after++;
        }

        return readme[..begin] + rendered + readme[after..];
    }
}
