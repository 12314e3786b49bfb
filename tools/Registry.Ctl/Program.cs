using System.CommandLine;
using Registry.Ctl.Cli;
using Registry.Ctl.Commands;

// registryctl: the registry from a terminal (README "registryctl"). Every command has --help with an example.
var root = new RootCommand($"""
    registryctl: the registry of captured persons from a terminal. Calls go to the gateway as an agency system
    (--profile keeps the connection and the token); operator commands work on a service's database or the broker.
    {ExitCodes.Help}
    """)
{
    OperatorCommands.Token(),
    CaseCommands.Case(),
    RegisterCommand.Create(),
    OperatorCommands.Import(),
    ReadCommands.Overdue(),
    DuplicateCommands.Create(),
    CustodyCommands.Create(),
    MedicalCommands.Create(),
    ExchangeCommands.Create(),
    ReadCommands.Audit(),
    OperatorCommands.Clients(),
    OperatorCommands.Keys(),
    OperatorCommands.MoveErrors(),
    OperatorCommands.Outbox(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"registryctl: {PlainWords(error.Message)}");
    }

    Console.Error.WriteLine($"see: {string.Join(' ', ["registryctl", .. CommandPath(parse.CommandResult), "--help"])}");
    return ExitCodes.BadCommandLine;
}

// Ctrl+C and SIGTERM in steps (Interruption), not System.CommandLine's: that one ends the process 2 s after the signal.
using var signals = Interruption.Register();
Interruption.ToleratesHangUp();
try
{
    return await parse.InvokeAsync(
        new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, Interruption.Stopping);
}
catch (Exception ex)
{
    return Errors.Report(ex);
}

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
{
    var names = new Stack<string>();
    for (var current = result; current?.Parent is System.CommandLine.Parsing.CommandResult parent; current = parent)
    {
        names.Push(current.Command.Name);
    }

    return names;
}

// System.CommandLine names the .NET type a value did not parse as ("as expected type 'System.Int32'"): say it in words.
static string PlainWords(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '([\w.`\[\]]+)'", m =>
    m.Groups[1].Value switch
    {
        "System.Int32" or "System.Int64" => "as a whole number",
        "System.Double" => "as a number",
        var type when Type.GetType(type) is { IsEnum: true } e => $"as one of {string.Join(", ", Enum.GetNames(e).Where(n => n != "Unspecified"))}",
        _ => "as the option's type",
    });
