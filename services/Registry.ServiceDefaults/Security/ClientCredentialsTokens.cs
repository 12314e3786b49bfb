using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Who an agency system is to an authorization server: its authority (the issuer's base URI, where
/// <c>/.well-known/openid-configuration</c> is), client id and secret, and the scope it asks for.
/// </summary>
public sealed record ClientCredentials(Uri Authority, string ClientId, string Secret, string Scope = RegistryClaims.Scope);

/// <summary>
/// Access tokens by the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), one cached per (authority, client id)
/// and fetched again when less than a fifth of its lifetime (at most 60 s) is left, so a call never carries a token
/// about to expire. The token endpoint comes from the authority's discovery document (OpenID Connect Discovery 1.0),
/// through Duende.IdentityModel. Thread-safe; one instance per process is enough.
/// </summary>
/// <remarks>
/// The same server may be reached under another name than its issuer (a host reaching the compose network
/// through a published port: issuer <c>http://identity:8081/</c>, reached at <c>http://127.0.0.1:5184/</c>):
/// the issuer name is then not checked against the authority, and the token endpoint's path is taken on the
/// authority as given. HTTPS is required unless the authority itself is <c>http</c>.
/// </remarks>
public sealed class ClientCredentialsTokens(HttpClient http, TimeProvider clock)
{
    private static readonly TimeSpan MaxMargin = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<(string Authority, string ClientId), Entry> _tokens = new();

    /// <summary>A valid access token (a JWT from the registry's server) for <paramref name="credentials"/>.</summary>
    /// <exception cref="TokenRequestException">Discovery failed or the server refused, with its OAuth error (e.g. <c>invalid_client</c>).</exception>
    public async Task<string> GetAsync(ClientCredentials credentials, CancellationToken ct = default)
    {
        var entry = _tokens.GetOrAdd((credentials.Authority.AbsoluteUri, credentials.ClientId), _ => new Entry());
        if (entry.Fresh(clock.GetUtcNow()) is { } cached)
        {
            return cached;
        }

        await entry.Gate.WaitAsync(ct);
        try
        {
            if (entry.Fresh(clock.GetUtcNow()) is { } refreshed)
            {
                return refreshed;
            }

            var issuedAt = clock.GetUtcNow();
            var response = await RequestAsync(credentials, ct);
            var lifetime = TimeSpan.FromSeconds(response.ExpiresIn);
            var margin = TimeSpan.FromTicks(Math.Min(MaxMargin.Ticks, lifetime.Ticks / 5));
            entry.Set(response.AccessToken!, issuedAt + lifetime - margin);
            return response.AccessToken!;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>When the cached token of a client is fetched again (null: none cached), e.g. to keep it beyond the process.</summary>
    public DateTimeOffset? RefreshAt(ClientCredentials credentials) =>
        _tokens.TryGetValue((credentials.Authority.AbsoluteUri, credentials.ClientId), out var entry) ? entry.RefreshAt : null;

    /// <summary>Forgets the cached token of a client, e.g. after the server refused it.</summary>
    public void Forget(ClientCredentials credentials) => _tokens.TryRemove((credentials.Authority.AbsoluteUri, credentials.ClientId), out _);

    private async Task<TokenResponse> RequestAsync(ClientCredentials credentials, CancellationToken ct)
    {
        var authority = credentials.Authority;
        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = authority.AbsoluteUri,
            Policy = new DiscoveryPolicy
            {
                RequireHttps = authority.Scheme == Uri.UriSchemeHttps,
                ValidateIssuerName = false,
                ValidateEndpoints = false,
            },
        }, ct);
        if (discovery.IsError)
        {
            throw new TokenRequestException($"discovery at {authority} failed: {discovery.Error}");
        }

        var tokenEndpoint = new Uri(authority, new Uri(discovery.TokenEndpoint!).PathAndQuery);
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = tokenEndpoint.AbsoluteUri,
            ClientId = credentials.ClientId,
            ClientSecret = credentials.Secret,
            Scope = credentials.Scope,
        }, ct);
        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            // A 401 (invalid_client, RFC 6749 §5.2) is an HTTP error to Duende, whose Error is then the reason
            // phrase: the OAuth error is in the JSON body all the same.
            var error = (response.Json is not null ? response.TryGet("error") : null) ?? response.Error;
            var description = response.Json is not null ? response.TryGet("error_description") : null;
            throw new TokenRequestException(
                $"token request of client '{credentials.ClientId}' at {tokenEndpoint} refused: {error}" +
                (string.IsNullOrEmpty(description) ? "" : $" ({description})"),
                error);
        }

        return response;
    }

    private sealed class Entry
    {
        private (string Token, DateTimeOffset RefreshAt)? _current;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? Fresh(DateTimeOffset now) => _current is { } current && now < current.RefreshAt ? current.Token : null;

        public DateTimeOffset? RefreshAt => _current?.RefreshAt;

        public void Set(string token, DateTimeOffset refreshAt) => _current = (token, refreshAt);
    }
}

/// <summary>A token could not be had; <see cref="Error"/> is the OAuth error code when the server answered one.</summary>
public sealed class TokenRequestException(string message, string? error = null) : Exception(message)
{
    public string? Error { get; } = error;
}

/// <summary>
/// Adds <c>authorization: Bearer &lt;token&gt;</c> (RFC 6750 §2.1) to every request sent through it: every call of
/// a GrpcChannel whose <c>HttpHandler</c> it is (gRPC calls are HTTP/2 requests, so unary and streaming calls alike),
/// or of an HttpClient. A 401 answer drops the cached token, so the next call fetches a new one.
/// </summary>
/// <example><code>
/// var channel = GrpcChannel.ForAddress("http://127.0.0.1:5100", new GrpcChannelOptions
/// {
///     HttpHandler = new BearerTokenHandler(tokens, credentials) { InnerHandler = new SocketsHttpHandler() },
/// });
/// </code></example>
public sealed class BearerTokenHandler(ClientCredentialsTokens tokens, ClientCredentials credentials) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(credentials, cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            tokens.Forget(credentials);
        }

        return response;
    }
}
