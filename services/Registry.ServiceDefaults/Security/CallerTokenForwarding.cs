using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Carries the caller's bearer token from the call being served to the calls it makes to other registry
/// services (the gateway's case file; custody asking medical), so each service validates the caller
/// itself and applies its own access rows (ARCHITECTURE.md: identity is checked twice; no service trusts
/// a header it cannot verify). A call made outside a served request carries no token.
/// </summary>
public sealed class CallerTokenForwarding(IHttpContextAccessor accessor) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    private ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var header = accessor.HttpContext?.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header) || context.Options.Headers?.Any(h => h.Key == "authorization") == true)
        {
            return context;
        }

        var headers = context.Options.Headers ?? [];
        headers.Add("authorization", header);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
