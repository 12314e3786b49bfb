using Google.Protobuf;
using Spectre.Console;

namespace Registry.Ctl.Cli;

/// <summary>How a command prints what it read: <c>--output table</c> (Spectre.Console tables and panels, for people) or <c>json</c> (for scripts).</summary>
public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>Writes a command's result in the chosen format to standard output.</summary>
public static class Output
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithIndentation().WithFormatDefaultValues(true)
        .WithTypeRegistry(Google.Protobuf.Reflection.TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor)));

    /// <summary>The console tables go to: as wide as the terminal, or 200 columns when the output is a file or a pipe.</summary>
    public static IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Out),
        Ansi = System.Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = System.Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        Interactive = System.Console.IsOutputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
    });

    static Output()
    {
        if (System.Console.IsOutputRedirected)
        {
            Console.Profile.Width = 200;
        }
    }

    /// <summary>The message as protobuf JSON (the same as the gateway's HTTP/JSON), or rendered by <paramref name="table"/>.</summary>
    public static void Write(OutputFormat format, IMessage message, Action<IAnsiConsole> table)
    {
        if (format == OutputFormat.Json)
        {
            System.Console.Out.WriteLine(Json.Format(message));
        }
        else
        {
            table(Console);
        }
    }

    /// <summary>A result that is no protobuf message (e.g. an import's summary) as camelCase JSON, or rendered by <paramref name="table"/>.</summary>
    public static void WriteRecord<T>(OutputFormat format, T result, Action<IAnsiConsole> table) where T : notnull
    {
        if (format == OutputFormat.Json)
        {
            System.Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(result, Plain));
        }
        else
        {
            table(Console);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Plain = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>One thing's facts, a line each (name, value), without borders; empty values shown as "-".</summary>
    public static Table Facts(params (string Name, string? Value)[] facts)
    {
        var table = new Table().AddColumns("", "").HideHeaders().NoBorder();
        foreach (var (name, value) in facts)
        {
            table.AddRow(Safe(name), Safe(value));
        }

        return table;
    }

    /// <summary>Adds a row of plain text cells (made markup-safe; empty shown as "-").</summary>
    public static Table Row(this Table table, params string?[] cells) => table.AddRow([.. cells.Select(Safe)]);

    /// <summary>Text made safe for Spectre markup (a name may hold [brackets]).</summary>
    public static string Safe(string? text) => Markup.Escape(string.IsNullOrEmpty(text) ? "-" : text);

    public static string Time(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at is null ? "-" : at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
