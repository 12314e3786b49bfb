using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Registry.ServiceDefaults.Security;

namespace Registry.Testing;

/// <summary>
/// Callers for tests, each with a real token from <see cref="TestAuthority"/>:
/// <list type="bullet">
/// <item><see cref="Operator"/>: a client holding every role, for tests of other features than access.
/// Its agency follows the request: a write that carries an agency field (the access table's
/// <c>agencyField</c>, e.g. <c>capture.capturing_agency</c>) is sent with a token of that agency, so
/// the own-agency rule holds; other calls act for <see cref="DefaultAgency"/>.</item>
/// <item><see cref="As"/>: one agency and the roles given — what the access tests use.</item>
/// <item><see cref="Anonymous"/>: no token.</item>
/// </list>
/// </summary>
public static class TestCallers
{
    public const string DefaultAgency = "UA-SSO";

    public static CallInvoker Operator(ChannelBase channel) => channel.Intercept(new TokenInterceptor(null, RegistryRoles.All));

    public static CallInvoker As(ChannelBase channel, string agency, params string[] roles) => channel.Intercept(new TokenInterceptor(agency, roles));

    public static CallInvoker Anonymous(ChannelBase channel) => channel.CreateCallInvoker();

    /// <summary>Adds <c>authorization: Bearer</c> to every call; tokens are cached by the authority's client (per client, refreshed before expiry).</summary>
    private sealed class TokenInterceptor(string? agency, IReadOnlyCollection<string> roles) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithToken(request, context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithToken(request, context));

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(WithToken<TRequest, TResponse>(null, context));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(WithToken<TRequest, TResponse>(null, context));

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithToken(request, context));

        private ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(TRequest? request, ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class
            where TResponse : class
        {
            var callerAgency = agency ?? AgencyOf(context.Method.FullName, request) ?? DefaultAgency;
            // Interceptors add headers synchronously; the token is cached after the first call of each client.
            var token = Task.Run(async () => await (await TestAuthority.GetAsync()).TokenAsync(callerAgency, roles)).GetAwaiter().GetResult();
            var headers = context.Options.Headers ?? [];
            headers.Add("authorization", $"Bearer {token}");
            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
        }

        private static string? AgencyOf(string method, object? request) =>
            AccessTable.Default.Find(method)?.AgencyField is { } field && request is IMessage message
                && ProtoCaseFields.Read(message, field) is { } value && !string.IsNullOrWhiteSpace(value) && !value.Any(char.IsControl)
                ? value
                : null;
    }
}
