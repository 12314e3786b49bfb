using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Tells a client not to send a call again when this service itself answered it UNAVAILABLE (a store that failed, perhaps
/// at the commit; an audit that could not be written after the handler ran; a shutdown): such a call may have done its work, and
/// the registry's writes without a request id (a refusal reported, a status changed at a revision) must not be made twice.
/// The answer carries <c>grpc-retry-pushback-ms: -1</c>, which stops gRPC's retries
/// (https://github.com/grpc/proposal/blob/master/A6-client-retries.md, "Pushback"), so the balanced clients' retry
/// (<see cref="RegistryGrpcClients.ReplicaRetry"/>) resends only what never reached a server: a replica dead before it answered.
/// Outermost on the server (<see cref="RegistryGrpcServer"/>), so that every UNAVAILABLE the service makes passes through it.
/// Grpc.Net.Client 2.x was seen not to resend such an answer even without it (ReplicaRetryTests); A6 lets a client resend
/// one that came before any response headers, and other clients (an agency's) may.
/// </summary>
public sealed class RetryPushbackInterceptor : Interceptor
{
    /// <summary>The trailer gRPC clients read before a retry; a negative value means "do not retry".</summary>
    public const string Trailer = "grpc-retry-pushback-ms";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            throw NotToBeRetried(ex);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            throw NotToBeRetried(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            throw NotToBeRetried(ex);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            throw NotToBeRetried(ex);
        }
    }

    /// <summary>The same status, message and trailers (the error details among them), with the pushback that stops a retry.</summary>
    private static RpcException NotToBeRetried(RpcException ex)
    {
        var trailers = new Metadata();
        foreach (var entry in ex.Trailers.Where(e => !string.Equals(e.Key, Trailer, StringComparison.OrdinalIgnoreCase)))
        {
            trailers.Add(entry);
        }

        trailers.Add(Trailer, "-1");
        return new RpcException(ex.Status, trailers, ex.Message);
    }
}
