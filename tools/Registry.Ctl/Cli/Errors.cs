using Google.Rpc;
using Grpc.Core;
using Registry.ServiceDefaults.Security;

namespace Registry.Ctl.Cli;

/// <summary>
/// How a failure is told: one line <c>registryctl: …</c> on standard error, then, for a status the registry answered, each
/// of its details in plain words (the field violations of a bad request one a line, the reason of a refusal, when to call
/// again); never a stack trace, never base64. Returns the exit code (<see cref="ExitCodes"/>).
/// </summary>
public static class Errors
{
    public static int Report(Exception failure)
    {
        switch (failure)
        {
            case UsageException usage:
                Console.Error.WriteLine($"registryctl: {usage.Message}{(usage.SeeHelp ? " (see --help)" : "")}");
                return ExitCodes.BadCommandLine;
            case RpcException rpc:
                return ReportStatus(rpc);
            case OperationCanceledException:
                Console.Error.WriteLine("registryctl: interrupted");
                return ExitCodes.Unusable;
            default:
                // A database, broker, authorization server or network that does not work, said in one line.
                Console.Error.WriteLine($"registryctl: {failure.Message}");
                return ExitCodes.Unusable;
        }
    }

    private static int ReportStatus(RpcException rpc)
    {
        // A status of the client's own (its deadline, a connection it could not make) has no detail: say what it means.
        var said = rpc.Status.Detail is { Length: > 0 } given ? given : rpc.StatusCode switch
        {
            StatusCode.DeadlineExceeded => "no answer within the call's deadline (--deadline)",
            StatusCode.Cancelled => "the call was cancelled before its answer came",
            _ => "no detail given",
        };
        Console.Error.WriteLine($"registryctl: {Name(rpc.StatusCode)}: {said}");
        if (UnknownOutcome.LeavesOutcomeOpen(rpc.StatusCode) && UnknownOutcome.RerunArguments is { } rerun)
        {
            Console.Error.WriteLine($"  the write may have been done: run the same command again with {rerun} to get its result without doing it twice");
        }

        if (rpc.StatusCode == StatusCode.Unavailable && rpc.GetRpcStatus() is null && Connection.Called is { } gateway)
        {
            // The gateway itself could not be reached (a refusal of the registry's own carries a google.rpc.Status).
            Console.Error.WriteLine($"  gateway: {gateway} (from --gateway, REGISTRY_GATEWAY or the profile)");
        }

        var status = rpc.GetRpcStatus();
        foreach (var detail in status?.Details ?? [])
        {
            if (detail.TryUnpack<BadRequest>(out var bad))
            {
                foreach (var violation in bad.FieldViolations)
                {
                    Console.Error.WriteLine($"  {(violation.Field.Length == 0 ? "(request)" : violation.Field)}: {violation.Description}");
                }
            }
            else if (detail.TryUnpack<ErrorInfo>(out var info))
            {
                var field = info.Metadata.TryGetValue("field", out var f) ? $" (field {f})" : "";
                Console.Error.WriteLine($"  reason: {info.Reason}{field}");
            }
            else if (detail.TryUnpack<PreconditionFailure>(out var precondition))
            {
                foreach (var violation in precondition.Violations)
                {
                    Console.Error.WriteLine($"  {violation.Type} {violation.Subject}: {violation.Description}");
                }
            }
            else if (detail.TryUnpack<RetryInfo>(out var retry))
            {
                Console.Error.WriteLine($"  call again in {retry.RetryDelay.ToTimeSpan().TotalSeconds:0.#} s");
            }
        }

        return rpc.StatusCode switch
        {
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.OutOfRange
                => ExitCodes.Refused,
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => ExitCodes.NotAllowed,
            StatusCode.NotFound => ExitCodes.NotFound,
            _ => ExitCodes.Unusable,
        };
    }

    /// <summary>gRPC's name of a status code: PERMISSION_DENIED.</summary>
    private static string Name(StatusCode code) => AccessControlInterceptor.Code(code);
}
