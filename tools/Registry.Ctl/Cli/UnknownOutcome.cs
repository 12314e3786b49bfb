using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Registry.Protos;

namespace Registry.Ctl.Cli;

/// <summary>
/// Remembers the request_id of a write whose outcome the command cannot know: the call failed with a status that says
/// nothing of whether the registry did it (DEADLINE_EXCEEDED, UNAVAILABLE, CANCELLED, UNKNOWN, INTERNAL; the registry may
/// have stored it before the answer was lost, as an access audit that fails after the write does). <see cref="Errors"/>
/// then tells the operator to run the same command again with <c>--request-id</c>, which replays the first result instead
/// of doing the write twice (every write RPC is idempotent by its request_id), and with every value the command filled in
/// itself (<see cref="Filled"/>: an <c>--at</c> left out is the time the command ran, an agreed list's version the one it
/// read): the registry keeps a request_id with the whole request, and the same id with another request is refused
/// (ALREADY_EXISTS), so a re-run must send the same values. Not for a bulk call (<see cref="IBulkRequest"/>:
/// <c>registryctl import</c> reports each row and retries by itself).
/// </summary>
public sealed class UnknownOutcome : Interceptor
{
    private static readonly List<(string Option, string Value)> FilledIn = [];

    /// <summary>The request_id of the command's last write that ended so; null when none did, or a later write succeeded.</summary>
    public static string? RequestId { get; private set; }

    /// <summary>
    /// Records a value the command filled in for an option left out (e.g. <c>--at</c> as now), in a form the option reads
    /// back exactly, so that <see cref="RerunArguments"/> repeats it.
    /// </summary>
    public static void Filled(string option, string value)
    {
        lock (FilledIn)
        {
            FilledIn.RemoveAll(f => f.Option == option);
            FilledIn.Add((option, value));
        }
    }

    /// <summary>The arguments that make a re-run send the same request: <c>--request-id</c> and each filled-in value; null when no write ended so.</summary>
    public static string? RerunArguments
    {
        get
        {
            if (RequestId is not { } id)
            {
                return null;
            }

            lock (FilledIn)
            {
                return string.Join(' ', [$"--request-id {id}", .. FilledIn.Select(f => $"{f.Option} {f.Value}")]);
            }
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        if (request is IBulkRequest || RequestIdOf(request) is not { Length: > 0 } id)
        {
            return call;
        }

        return new AsyncUnaryCall<TResponse>(WatchAsync(call.ResponseAsync, id), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    /// <summary>Whether a failure with <paramref name="code"/> leaves open whether the write was done.</summary>
    public static bool LeavesOutcomeOpen(StatusCode code) =>
        code is StatusCode.DeadlineExceeded or StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.Unknown or StatusCode.Internal;

    private static async Task<TResponse> WatchAsync<TResponse>(Task<TResponse> response, string requestId)
    {
        try
        {
            var answer = await response;
            RequestId = null;
            return answer;
        }
        catch (RpcException ex) when (LeavesOutcomeOpen(ex.StatusCode) && !NeverSent(ex))
        {
            RequestId = requestId;
            throw;
        }
    }

    /// <summary>
    /// A call that failed while connecting (the gateway refused the connection, its name or network could not be reached):
    /// the request was never sent, so the write was certainly not done and a new command is as good as a re-run.
    /// </summary>
    private static bool NeverSent(RpcException ex)
    {
        for (Exception? cause = ex.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            if (cause is System.Net.Sockets.SocketException
                {
                    SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused or System.Net.Sockets.SocketError.HostNotFound
                        or System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkUnreachable,
                })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The request's <c>request_id</c> (a string field of that name), or null when it has none.</summary>
    private static string? RequestIdOf(object request) =>
        request is IMessage message && message.Descriptor.FindFieldByName("request_id") is { FieldType: FieldType.String } field
            ? field.Accessor.GetValue(message) as string
            : null;
}
