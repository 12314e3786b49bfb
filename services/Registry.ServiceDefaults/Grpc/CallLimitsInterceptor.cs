using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Protos;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// The service's own bounds on a call, whoever the caller is (the gateway, or a client reaching the
/// service directly):
/// <list type="bullet">
/// <item>a unary call runs at most <see cref="GrpcCallOptions.UnaryCallTimeout"/> when its caller set no
/// deadline (or one grpc-dotnet ignores: malformed, zero, <c>1n</c>), and at most
/// <see cref="GrpcCallOptions.MaxUnaryCallTimeout"/> whatever it set. At the bound the handler's
/// cancellation token fires (Npgsql cancels the query and returns the session to the pool) and the call
/// ends DEADLINE_EXCEEDED, as at a caller's own deadline. A caller's shorter deadline is grpc-dotnet's
/// to enforce, unchanged.</item>
/// <item>a streaming call (any server, client or bidirectional stream: the ICRC feed today) ends
/// UNAVAILABLE when the service begins to shut down: its token fires at once and the call ends with a
/// status that tells the client to reconnect (from its last cursor), instead of being held until the
/// host's shutdown timeout and then cut, which a client reads as CANCELLED or INTERNAL.</item>
/// <item>a bulk call (its request an <see cref="IBulkRequest"/>: ImportCaptures) is bounded by
/// <see cref="GrpcCallOptions.BulkCallTimeout"/> instead, whether its caller set a deadline or not, and runs in one
/// of <see cref="GrpcCallOptions.MaxConcurrentBulkCalls"/> slots (<see cref="BulkCallSlots"/>), waiting for one
/// within its bound.</item>
/// </list>
/// The handler sees the bounded token as <see cref="ServerCallContext.CancellationToken"/> and the
/// bound as <see cref="ServerCallContext.Deadline"/>.
/// </summary>
public sealed class CallLimitsInterceptor(
    GrpcCallOptions options, BulkCallSlots slots, IHostApplicationLifetime lifetime, RegistryServiceName service, ILogger<CallLimitsInterceptor> logger)
    : Interceptor
{
    private const string ShuttingDown = "The service is shutting down; call again (a stream resumes from its last cursor).";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // Wall-clock time, as grpc-dotnet's own deadline: a service's TimeProvider may be a test's fake clock.
        var now = DateTime.UtcNow;
        var callerSetOne = context.Deadline != DateTime.MaxValue;
        // A bulk call (an agency's list) has its own bound and runs in one of a few slots (GrpcCallOptions.BulkCallTimeout).
        var bulk = request is IBulkRequest;
        // A call passed on to the service that owns it holds that service's slot, not one here (ForwardedToOwningService).
        var slot = bulk && !Security.ForwardedToOwningService.Marks(context.GetHttpContext());
        var (bound, setting) = bulk ? (options.BulkCallTimeout, nameof(GrpcCallOptions.BulkCallTimeout))
            : callerSetOne ? (options.MaxUnaryCallTimeout, nameof(GrpcCallOptions.MaxUnaryCallTimeout))
            : (options.UnaryCallTimeout, nameof(GrpcCallOptions.UnaryCallTimeout));
        if (callerSetOne && context.Deadline - now <= bound)
        {
            return slot ? await slots.RunAsync(() => continuation(request, context), context.CancellationToken) : await continuation(request, context);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        limit.CancelAfter(bound);
        try
        {
            var bounded = new BoundedCallContext(context, limit.Token, now + bound);
            return slot ? await slots.RunAsync(() => continuation(request, bounded), limit.Token) : await continuation(request, bounded);
        }
        catch (Exception ex) when (limit.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // A call its bound found waiting for one of the service's slots says so (GivenUpWhileWaitingException).
            var doing = ex is GivenUpWhileWaitingException waited ? $" {waited.Status.Detail}" : "";
            logger.LogWarning("{Method} ran into this service's bound of {Bound} (caller's deadline: {Deadline}): {Error}{Doing}",
                context.Method, bound, callerSetOne ? context.Deadline.ToString("O") : "none usable", ex.GetType().Name, doing);
            var slotsNote = bulk ? $"; at most {options.MaxConcurrentBulkCalls} such calls run at once (Grpc:{nameof(GrpcCallOptions.MaxConcurrentBulkCalls)}), the others wait within it" : "";
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                // Named, since the bound may be the gateway's (an HTTP/JSON call it runs itself) rather than the owning service's.
                $"The call ran into {service}'s bound of {bound.TotalSeconds:0.###} s (Grpc:{setting}{slotsNote}).{doing}"));
        }
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        UntilShutdownAsync(context, bounded => continuation(request, responseStream, bounded));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        UntilShutdownAsync(context, bounded => continuation(requestStream, responseStream, bounded));

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        TResponse response = default!;
        await UntilShutdownAsync(context, async bounded => response = await continuation(requestStream, bounded));
        return response;
    }

    private async Task UntilShutdownAsync(ServerCallContext context, Func<ServerCallContext, Task> call)
    {
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await call(new BoundedCallContext(context, open.Token, context.Deadline));
        }
        catch (Exception ex) when (ShutDown(context) && ex is not RpcException { StatusCode: StatusCode.Unavailable })
        {
            logger.LogInformation("{Method} ended by the service's shutdown: {Error}", context.Method, ex.GetType().Name);
            throw RpcErrors.Unavailable(ShuttingDown);
        }

        // A handler may end quietly when its token fires (a feed's reader "hung up"): the caller must still hear why.
        if (ShutDown(context))
        {
            logger.LogInformation("{Method} ended by the service's shutdown", context.Method);
            throw RpcErrors.Unavailable(ShuttingDown);
        }
    }

    private bool ShutDown(ServerCallContext context) =>
        lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested;

    /// <summary>The call as grpc-dotnet gave it, with a bounded token and deadline.</summary>
    private sealed class BoundedCallContext : ServerCallContext
    {
        private const string HttpContextKey = "__HttpContext";
        private readonly ServerCallContext _inner;
        private readonly CancellationToken _token;
        private readonly DateTime _deadline;

        public BoundedCallContext(ServerCallContext inner, CancellationToken token, DateTime deadline)
        {
            (_inner, _token, _deadline) = (inner, token, deadline);
            // context.GetHttpContext() on a context that is not grpc-dotnet's own reads it from here.
            if (!inner.UserState.ContainsKey(HttpContextKey))
            {
                inner.UserState[HttpContextKey] = inner.GetHttpContext();
            }
        }

        protected override string MethodCore => _inner.Method;
        protected override string HostCore => _inner.Host;
        protected override string PeerCore => _inner.Peer;
        protected override DateTime DeadlineCore => _deadline;
        protected override Metadata RequestHeadersCore => _inner.RequestHeaders;
        protected override CancellationToken CancellationTokenCore => _token;
        protected override Metadata ResponseTrailersCore => _inner.ResponseTrailers;
        protected override Status StatusCore { get => _inner.Status; set => _inner.Status = value; }
        protected override WriteOptions? WriteOptionsCore { get => _inner.WriteOptions; set => _inner.WriteOptions = value; }
        protected override AuthContext AuthContextCore => _inner.AuthContext;
        protected override IDictionary<object, object> UserStateCore => _inner.UserState;

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => _inner.WriteResponseHeadersAsync(responseHeaders);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => _inner.CreatePropagationToken(options);
    }
}
