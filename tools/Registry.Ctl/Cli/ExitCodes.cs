namespace Registry.Ctl.Cli;

/// <summary>registryctl's exit codes, the same for every command (README "registryctl").</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Done = 0;

    /// <summary>The gateway, the authorization server, a database or the broker could not be used (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, a refused token request, a network error), or an operator command found nothing to do.</summary>
    public const int Unusable = 1;

    /// <summary>A bad command line: an unknown command or option, a missing argument, a value that does not read.</summary>
    public const int BadCommandLine = 2;

    /// <summary>
    /// The registry refused the request as it stands (INVALID_ARGUMENT with its field violations, FAILED_PRECONDITION,
    /// ALREADY_EXISTS, ABORTED, OUT_OF_RANGE), or part of it: some rows of an import, some persons of a batch of
    /// inspections; or a custody hash chain that does not verify.
    /// </summary>
    public const int Refused = 3;

    /// <summary>Not allowed: no valid token (UNAUTHENTICATED) or a role the access table does not allow (PERMISSION_DENIED).</summary>
    public const int NotAllowed = 4;

    /// <summary>What was asked for does not exist (NOT_FOUND).</summary>
    public const int NotFound = 5;

    public const string Help = """
        Exit codes: 0 done; 1 the gateway, authorization server, database or broker could not be used; 2 a bad command line;
        3 the registry refused the request, or part of it (its field violations are printed), or a custody chain is broken;
        4 not allowed (no valid token, or the role may not); 5 not found.
        """;
}

/// <summary>
/// A command line the command does not allow (exit 2), with what is wrong in plain words; or a file it names that cannot be
/// used as it is (<paramref name="seeHelp"/> false: the message says what to change, and --help would not help).
/// </summary>
public sealed class UsageException(string message, bool seeHelp = true) : Exception(message)
{
    /// <summary>Whether the message ends with "(see --help)".</summary>
    public bool SeeHelp { get; } = seeHelp;
}
