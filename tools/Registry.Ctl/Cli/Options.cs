using System.CommandLine;

namespace Registry.Ctl.Cli;

/// <summary>
/// The <c>--name value</c> options of an operator command (the broker, a database, the import's settings) by name, as
/// System.CommandLine parsed them; the commands check what each value means (<see cref="UsageException"/>, exit 2).
/// </summary>
public sealed class Options(IReadOnlyDictionary<string, string> values)
{
    /// <summary>The values given for <paramref name="options"/>, by name with its dashes (<c>--database</c>).</summary>
    public static Options From(ParseResult parse, IEnumerable<Option<string?>> options) =>
        new(options.Select(o => (o.Name, Value: parse.GetValue(o))).Where(o => o.Value is not null).ToDictionary(o => o.Name, o => o.Value!));

    public string? Get(string name) => values.GetValueOrDefault(name);

    public int? Int(string name) => Get(name) is not { } text ? null
        : int.TryParse(text, out var value) && value > 0 ? value
        : throw new UsageException($"{name} must be a positive number, not '{text}'.");
}
