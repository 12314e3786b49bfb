using System.CommandLine;
using Google.Protobuf;
using Spectre.Console;

namespace Registry.Ctl.Cli;

/// <summary>How an agency command runs: its request read from the command line first, then one connection to the gateway.</summary>
public static class Calls
{
    /// <summary>
    /// The idempotency key of a write (a UUID); a new one when not given. The same key again replays the first result
    /// (the registry answers <c>replayed</c>), so a write that timed out can be run again as it was.
    /// </summary>
    public static readonly Option<string?> RequestId = new("--request-id")
    {
        Description = "The idempotency key (a UUID); default: a new one. The same key again replays the first result.",
    };

    public static string RequestIdOf(ParseResult parse) => parse.GetValue(RequestId) ?? Guid.NewGuid().ToString();

    /// <summary>The case a command is about.</summary>
    public static readonly Argument<string> CaseId = new("case-id") { Description = "The case's id (a UUID)." };

    public static string CaseIdOf(ParseResult parse) => parse.GetValue(CaseId)!;

    /// <summary><c>--at</c>: when what the command records happened (RFC 3339; default now).</summary>
    public static Option<string?> At(string when) => new("--at") { Description = $"{when}, RFC 3339 with an offset (default: now)." };

    /// <summary>A write on one case: <c>&lt;case-id&gt;</c>, <c>--request-id</c>, <c>--at</c>, the command's own options and the connection's.</summary>
    public static Command CaseWrite(string name, string help, Option<string?> at, params IEnumerable<Option> options) =>
        new Command(name, help) { CaseId, RequestId, at }.With(options).WithConnection();

    /// <summary>A read of one case (<c>&lt;case-id&gt;</c>; e.g. a list with its <see cref="Paging.Options"/>) with the command's own options and the connection's.</summary>
    public static Command CaseRead(string name, string help, params IEnumerable<Option> options) =>
        new Command(name, help) { CaseId }.With(options).WithConnection();

    /// <summary>
    /// Sets the command's action: <paramref name="request"/> reads the command line (a value that does not read is exit 2,
    /// before any token is fetched or call made), <paramref name="call"/> calls the gateway with the profile's token, and
    /// the answer is printed by <paramref name="table"/> or as protobuf JSON (<c>--output json</c>). The exit code is 0, or
    /// what <paramref name="exitCode"/> makes of the answer; a refusal is reported by <see cref="Errors"/>.
    /// </summary>
    public static Command Does<TRequest, TResponse>(this Command command, Func<ParseResult, TRequest> request,
        Func<RegistryCalls, TRequest, Task<TResponse>> call, Action<IAnsiConsole, TResponse> table, Func<TResponse, int>? exitCode = null)
        where TResponse : IMessage
    {
        command.SetAction(async (parse, ct) =>
        {
            var built = request(parse);
            using var calls = await Connection.OpenAsync(parse, ct);
            var response = await call(calls, built);
            Output.Write(parse.GetValue(Connection.OutputFormat), response, console => table(console, response));
            return exitCode?.Invoke(response) ?? ExitCodes.Done;
        });
        return command;
    }

    /// <summary>Adds options (e.g. <see cref="Paging.Options"/>, a place's three) to a command.</summary>
    public static Command With(this Command command, IEnumerable<Option> options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        return command;
    }
}
