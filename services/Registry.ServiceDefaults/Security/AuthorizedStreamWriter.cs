using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The access a long-lived server stream (the ICRC's notification feed, GC III Art. 122-123) was opened with: the access
/// token's expiry (its <c>exp</c>, RFC 7519 §4.1.4) and the client, which the authority may disable
/// (<see cref="DisabledClients"/>, read every <c>Auth:DisabledClientsRefresh</c>). The stream delivers only while both
/// hold: each message is checked before it is written (<see cref="AuthorizedStreamWriter{T}"/>), and a stream with nothing
/// to send is checked every <see cref="CheckInterval"/> (<see cref="RunAsync"/>), so that it ends UNAUTHENTICATED with the
/// reason as soon as the access ends, not at its next message: the caller opens it again with a new token, from its cursor.
/// <paramref name="clock"/> is wall-clock time (<see cref="TimeProvider.System"/>), as token validation reads it.
/// </summary>
public sealed class StreamAccess(string clientId, DateTimeOffset? expiresAt, DisabledClients? disabled, TimeProvider clock)
{
    /// <summary>How often an open stream's access is checked while it has nothing to send (the disabled list itself is read every <c>Auth:DisabledClientsRefresh</c>).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Why the access ended (the token expired, the client was disabled), or null while it holds.</summary>
    public string? EndedReason()
    {
        if (expiresAt is { } expiry && clock.GetUtcNow() >= expiry)
        {
            return $"The access token this stream was opened with expired at {expiry.ToString("u", CultureInfo.InvariantCulture)}: open the stream again with a new token.";
        }

        return disabled?.IsDisabled(clientId) == true ? $"Client '{clientId}' is disabled at the authority: the stream ends." : null;
    }

    /// <summary>UNAUTHENTICATED when the access ended (<see cref="EndedReason"/>).</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED, with the reason.</exception>
    public void ThrowIfEnded()
    {
        if (EndedReason() is { } reason)
        {
            throw Ended(reason);
        }
    }

    /// <summary>
    /// Runs a stream's handler with a call context whose cancellation also fires when the access ends, checked every
    /// <see cref="CheckInterval"/>; the call then ends UNAUTHENTICATED with the reason, however the handler stopped.
    /// A caller that hangs up ends it as before (the handler sees the caller's cancellation).
    /// </summary>
    /// <exception cref="RpcException">UNAUTHENTICATED when the access ended while the stream was open.</exception>
    public async Task RunAsync(ServerCallContext context, Func<ServerCallContext, Task> handler)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        string? reason = null;
        var watch = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(CheckInterval, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(ended.Token))
                {
                    if (EndedReason() is { } why)
                    {
                        Volatile.Write(ref reason, why);
                        await ended.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The stream ended first, or the caller hung up.
            }
        });

        try
        {
            await handler(new AccessBoundCallContext(context, ended.Token));
        }
        catch (Exception) when (Volatile.Read(ref reason) is { } why && !context.CancellationToken.IsCancellationRequested)
        {
            throw Ended(why);
        }
        finally
        {
            await ended.CancelAsync();
            await watch;
        }

        // A handler that stops quietly when its context is cancelled (the ICRC feed does) ends here.
        if (Volatile.Read(ref reason) is { } ending && !context.CancellationToken.IsCancellationRequested)
        {
            throw Ended(ending);
        }
    }

    /// <summary>The access of the caller <paramref name="http"/> authenticated (its token's <c>exp</c>).</summary>
    public static StreamAccess For(HttpContext http, CallerIdentity caller, TimeProvider clock)
    {
        var exp = http.User.FindFirst("exp")?.Value;
        DateTimeOffset? expiresAt = long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        return new StreamAccess(caller.ClientId, expiresAt, http.RequestServices.GetService<DisabledClients>(), clock);
    }

    private static RpcException Ended(string reason) => new(new Status(StatusCode.Unauthenticated, reason));

    /// <summary>The call's context, with a cancellation that also fires when the stream's access ends; everything else is the call's own.</summary>
    private sealed class AccessBoundCallContext(ServerCallContext inner, CancellationToken cancellation) : ServerCallContext
    {
        protected override string MethodCore => inner.Method;
        protected override string HostCore => inner.Host;
        protected override string PeerCore => inner.Peer;
        protected override DateTime DeadlineCore => inner.Deadline;
        protected override Metadata RequestHeadersCore => inner.RequestHeaders;
        protected override CancellationToken CancellationTokenCore => cancellation;
        protected override Metadata ResponseTrailersCore => inner.ResponseTrailers;

        protected override Status StatusCore
        {
            get => inner.Status;
            set => inner.Status = value;
        }

        protected override WriteOptions? WriteOptionsCore
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        protected override AuthContext AuthContextCore => inner.AuthContext;
        protected override IDictionary<object, object> UserStateCore => inner.UserState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => inner.CreatePropagationToken(options);

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => inner.WriteResponseHeadersAsync(responseHeaders);
    }
}

/// <summary>
/// The response side of a server stream that writes a message only while the stream's access holds
/// (<see cref="StreamAccess"/>): otherwise the write fails UNAUTHENTICATED with the reason, which ends the stream (and is
/// audited as its outcome). Nothing reaches a caller whose access ended.
/// </summary>
public sealed class AuthorizedStreamWriter<T>(IServerStreamWriter<T> inner, StreamAccess access) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        access.ThrowIfEnded();
        return inner.WriteAsync(message, cancellationToken);
    }
}
