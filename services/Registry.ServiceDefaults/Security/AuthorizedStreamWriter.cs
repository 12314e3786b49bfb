using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The response side of a server stream (the ICRC's notification feed, GC III Art. 122-123) that delivers only while
/// the caller's access holds: a message is written only while the access token the stream was opened with is unexpired
/// (its <c>exp</c>, RFC 7519 §4.1.4) and its client is not disabled at the authority (<see cref="DisabledClients"/>,
/// read every <c>Auth:DisabledClientsRefresh</c>). Otherwise the write fails UNAUTHENTICATED with the reason, which
/// ends the stream (and is audited as its outcome): the caller opens it again with a new token, from its cursor.
/// A stream with nothing to send stays open until its next message; nothing reaches a caller whose access ended.
/// <paramref name="clock"/> is wall-clock time (<see cref="TimeProvider.System"/>), as token validation reads it.
/// </summary>
public sealed class AuthorizedStreamWriter<T>(IServerStreamWriter<T> inner, string clientId, DateTimeOffset? expiresAt, DisabledClients? disabled, TimeProvider clock)
    : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        if (expiresAt is { } expiry && clock.GetUtcNow() >= expiry)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"The access token this stream was opened with expired at {expiry.ToString("u", CultureInfo.InvariantCulture)}: open the stream again with a new token."));
        }

        if (disabled?.IsDisabled(clientId) == true)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"Client '{clientId}' is disabled at the authority: the stream ends."));
        }

        return inner.WriteAsync(message, cancellationToken);
    }

    /// <summary>Wraps <paramref name="inner"/> for the caller <paramref name="http"/> authenticated (its token's <c>exp</c>).</summary>
    public static IServerStreamWriter<T> For(IServerStreamWriter<T> inner, HttpContext http, CallerIdentity caller, TimeProvider clock)
    {
        var exp = http.User.FindFirst("exp")?.Value;
        DateTimeOffset? expiresAt = long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        return new AuthorizedStreamWriter<T>(inner, caller.ClientId, expiresAt, http.RequestServices.GetService<DisabledClients>(), clock);
    }
}
