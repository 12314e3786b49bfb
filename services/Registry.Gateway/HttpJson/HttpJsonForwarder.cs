using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.ClientFactory;
using Registry.Gateway.Forwarding;

namespace Registry.Gateway.HttpJson;

/// <summary>
/// Answers a transcoded HTTP/JSON call on a forwarded service (<see cref="IntakeHttpJson"/> and the others) by
/// sending the request, already decoded from JSON by <c>Microsoft.AspNetCore.Grpc.JsonTranscoding</c>, to the
/// owning service over gRPC and returning its answer, which the transcoder writes as JSON. It is the innermost
/// interceptor: the gateway's bounds (<see cref="Registry.ServiceDefaults.Grpc.CallLimitsInterceptor"/>: a
/// deadline when the caller set none) and its access check run first, exactly as for its own methods; the
/// service checks the caller's token and the scope again and audits the call. The call carries the caller's
/// token, the bounded deadline (<see cref="Options"/>) and cancellation, and the trace continues. The service's status, message and
/// rich details (<c>grpc-status-details-bin</c>) come back unchanged, for the transcoder to write as a
/// <c>google.rpc.Status</c> JSON body. The continuation (the empty service type) is never called.
/// </summary>
public sealed class HttpJsonForwarder(GrpcClientFactory clients, ForwardedMethods methods, BackendOptions backends, ILogger<HttpJsonForwarder> logger) : Interceptor
{
    private static readonly ConcurrentDictionary<string, object> Definitions = new(StringComparer.Ordinal);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var method = Definition<TRequest, TResponse>(context.Method, MethodType.Unary);
        using var call = Backend(context.Method).AsyncUnaryCall(method, null, Options(context, methods.IsBulk(context.Method) ? backends.MaxForwardedBulkCallTimeout : backends.MaxForwardedCallTimeout), request);
        return await call.ResponseAsync;
    }

    /// <summary>How long a forwarded stream waits, after the service's headers, for a first message or a status before it sends its own HTTP headers.</summary>
    private static readonly TimeSpan IdleStreamHeadersAfter = TimeSpan.FromMilliseconds(250);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await ForwardStreamAsync(request, responseStream, context);
        }
        catch (Exception ex) when (Registry.ServiceDefaults.Grpc.ExceptionMappingInterceptor.CallerGone(context, ex))
        {
            // An HTTP reader that hung up (the ICRC feed's, to resume from its cursor later): routine, not the transcoder's
            // "Error when executing service method" with a stack trace for each; the service audits the call as CANCELLED.
            logger.LogDebug("{Method}: the HTTP/JSON caller hung up ({Exception})", context.Method, ex.GetType().Name);
        }
    }

    private async Task ForwardStreamAsync<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
        where TRequest : class where TResponse : class
    {
        var method = Definition<TRequest, TResponse>(context.Method, MethodType.ServerStreaming);
        using var call = Backend(context.Method).AsyncServerStreamingCall(method, null, Options(context, null), request);
        // The service's headers say it accepted the call (intake sends them once the ICRC feed's cursor is accepted) or
        // refused it (trailers only, its status then follows at once). When no message and no status follow promptly, the
        // stream is open and idle: the HTTP response starts now, not at the first message, so a reader at the feed's end
        // gets its status line while nothing comes; a refusal keeps its own HTTP status (400 for a bad cursor).
        await call.ResponseHeadersAsync;
        var moved = call.ResponseStream.MoveNext(context.CancellationToken);
        if (await Task.WhenAny(moved, Task.Delay(IdleStreamHeadersAfter, context.CancellationToken)) != moved)
        {
            await context.WriteResponseHeadersAsync(new Metadata());
        }

        while (await moved)
        {
            await responseStream.WriteAsync(call.ResponseStream.Current, context.CancellationToken);
            moved = call.ResponseStream.MoveNext(context.CancellationToken);
        }
    }

    /// <summary>
    /// The call's deadline (already bounded by the gateway's <c>Grpc</c> section, see CallLimitsInterceptor), cut to the
    /// forwarded calls' cap (<see cref="BackendOptions.MaxForwardedCallTimeout"/>, or
    /// <see cref="BackendOptions.MaxForwardedBulkCallTimeout"/> for ImportCaptures) as over the proxy; a stream keeps its own.
    /// </summary>
    private static CallOptions Options(ServerCallContext context, TimeSpan? cap)
    {
        DateTime? deadline = context.Deadline == DateTime.MaxValue ? null : context.Deadline;
        if (cap is { } most && (deadline is null || deadline > DateTime.UtcNow + most))
        {
            deadline = DateTime.UtcNow + most;
        }

        return new CallOptions(deadline: deadline, cancellationToken: context.CancellationToken);
    }

    private CallInvoker Backend(string path) => clients.CreateClient<BackendInvoker>(BackendInvoker.Name(OwnerOf(path))).Invoker;

    /// <summary>The owning service of a <c>/{package}.{Service}/{Method}</c> path: the name of its client.</summary>
    public static string OwnerOf(string path) => path.TrimStart('/') switch
    {
        var p when p.StartsWith("registry.intake.v1.", StringComparison.Ordinal) => "intake",
        var p when p.StartsWith("registry.custody.v1.", StringComparison.Ordinal) => "custody",
        var p when p.StartsWith("registry.medical.v1.", StringComparison.Ordinal) => "medical",
        _ => throw new InvalidOperationException($"{path} is not a forwarded method."),
    };

    /// <summary>The gRPC method to call, with protobuf marshallers read from the compiled descriptors.</summary>
    private Method<TRequest, TResponse> Definition<TRequest, TResponse>(string path, MethodType type)
        where TRequest : class where TResponse : class =>
        (Method<TRequest, TResponse>)Definitions.GetOrAdd(path, p =>
        {
            var descriptor = methods.Find(p) ?? throw new InvalidOperationException($"{p} is not a forwarded method.");
            return new Method<TRequest, TResponse>(type, descriptor.Service.FullName, descriptor.Name,
                Marshaller<TRequest>(descriptor.InputType.Parser), Marshaller<TResponse>(descriptor.OutputType.Parser));
        });

    private static Marshaller<T> Marshaller<T>(MessageParser parser) where T : class =>
        Marshallers.Create(message => ((IMessage)message).ToByteArray(), bytes => (T)parser.ParseFrom(bytes));
}
