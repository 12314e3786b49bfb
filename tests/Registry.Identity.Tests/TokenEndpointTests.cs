using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Registry.Identity.Clients;
using Registry.ServiceDefaults.Security;

namespace Registry.Identity.Tests;

/// <summary>Discovery, the token endpoint and the clients, against a server on a real PostgreSQL database.</summary>
public sealed class TokenEndpointTests : IAsyncLifetime
{
    private IdentityHost _host = null!;

    public async Task InitializeAsync() => _host = await IdentityHost.StartPostgresAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Discovery_lists_the_token_endpoint_the_jwks_and_the_client_credentials_grant()
    {
        using var http = _host.Server.CreateClient();
        var discovery = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(IdentityHost.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal("http://localhost/connect/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal("http://localhost/.well-known/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal(["client_credentials"], discovery.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()));
        Assert.Contains(RegistryClaims.Scope, discovery.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
        var keys = JsonDocument.Parse(await http.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys");
        Assert.Equal("RSA", Assert.Single(keys.EnumerateArray()).GetProperty("kty").GetString());
    }

    [Fact]
    public async Task A_configured_client_gets_a_JWT_with_exactly_its_client_id_agency_and_roles_for_the_registry_audience()
    {
        var token = await _host.Tokens().GetAsync(IdentityHost.Medic);

        var result = await _host.ValidateAsync(token);
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = new JsonWebToken(token);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal(IdentityHost.Medic.ClientId, jwt.Subject);
        Assert.Equal(IdentityHost.Medic.ClientId, jwt.GetClaim(RegistryClaims.ClientId).Value);
        Assert.Equal("UA-SBU", Assert.Single(jwt.Claims, c => c.Type == RegistryClaims.Agency).Value);
        Assert.Equal(
            [RegistryRoles.Custodian, RegistryRoles.Medic],
            jwt.Claims.Where(c => c.Type == RegistryClaims.Role).Select(c => c.Value).Order());
        Assert.Equal([RegistryClaims.Audience], jwt.Audiences);
        Assert.Equal(IdentityHost.Issuer, jwt.Issuer);
        Assert.Equal(RegistryClaims.Scope, jwt.GetClaim("scope").Value);
        // Nothing else: the registered JWT claims (RFC 7519 §4.1, RFC 9068 §2.2), these, and OpenIddict's private
        // oi_prst (the presenter) and oi_tkn_id (its token entry), which services ignore.
        var expected = new[] { "iss", "aud", "exp", "iat", "nbf", "jti", "sub", "client_id", "scope", RegistryClaims.Agency, RegistryClaims.Role, "oi_prst", "oi_tkn_id" };
        Assert.Empty(jwt.Claims.Select(c => c.Type).Distinct().Except(expected));
        Assert.InRange(jwt.ValidTo - jwt.IssuedAt, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_wrong_secret_is_invalid_client()
    {
        var (status, body) = await _host.RequestTokenAsync(IdentityHost.Intake.ClientId, "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        var refused = await Assert.ThrowsAsync<TokenRequestException>(() =>
            _host.Tokens().GetAsync(IdentityHost.Intake with { Secret = "not-the-secret" }));
        Assert.Equal("invalid_client", refused.Error);
    }

    [Fact]
    public async Task A_disabled_client_is_invalid_client_and_its_stored_tokens_are_revoked()
    {
        var (before, _) = await _host.RequestTokenAsync(IdentityHost.Intake.ClientId, IdentityHost.Intake.Secret);
        Assert.Equal(HttpStatusCode.OK, before);

        var revoked = await _host.WithStoreAsync((clients, _) => clients.DisableAsync(IdentityHost.Intake.ClientId));

        Assert.Equal(1, revoked);
        var (status, body) = await _host.RequestTokenAsync(IdentityHost.Intake.ClientId, IdentityHost.Intake.Secret);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.False((await _host.WithStoreAsync((clients, _) => clients.FindAsync(IdentityHost.Intake.ClientId)))!.Enabled);
    }

    [Fact]
    public async Task Pruning_deletes_revoked_token_entries_older_than_the_retention_and_keeps_valid_ones()
    {
        await _host.RequestTokenAsync(IdentityHost.Intake.ClientId, IdentityHost.Intake.Secret);
        await _host.RequestTokenAsync(IdentityHost.Medic.ClientId, IdentityHost.Medic.Secret);
        await _host.WithStoreAsync((clients, _) => clients.DisableAsync(IdentityHost.Intake.ClientId));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(2));
        var pruning = ActivatorUtilities.CreateInstance<Registry.Identity.Server.TokenPruning>(_host.Server.Services, (TimeProvider)clock);

        Assert.Equal(1, await pruning.PruneOnceAsync());

        await using var scope = _host.Server.Services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictTokenManager>().CountAsync());
    }

    [Fact]
    public async Task After_rotate_secret_the_old_secret_is_refused_and_the_new_one_works()
    {
        var secret = await _host.WithStoreAsync((clients, _) => clients.RotateSecretAsync(IdentityHost.Intake.ClientId));

        var (oldStatus, oldBody) = await _host.RequestTokenAsync(IdentityHost.Intake.ClientId, IdentityHost.Intake.Secret);
        Assert.Equal("invalid_client", oldBody.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, oldStatus);
        var token = await _host.Tokens().GetAsync(IdentityHost.Intake with { Secret = secret });
        Assert.True((await _host.ValidateAsync(token)).IsValid);
    }

    [Fact]
    public async Task A_restart_keeps_what_registryctl_changed_on_clients_named_in_configuration()
    {
        var secret = await _host.WithStoreAsync((clients, _) => clients.RotateSecretAsync(IdentityHost.Intake.ClientId));
        await _host.WithStoreAsync((clients, _) => clients.DisableAsync(IdentityHost.Medic.ClientId));

        // The configuration still names both clients, with their old secrets and enabled.
        await _host.RestartAsync();

        var (_, oldSecret) = await _host.RequestTokenAsync(IdentityHost.Intake.ClientId, IdentityHost.Intake.Secret);
        Assert.Equal("invalid_client", oldSecret.GetProperty("error").GetString());
        Assert.True((await _host.ValidateAsync(await _host.Tokens().GetAsync(IdentityHost.Intake with { Secret = secret }))).IsValid);
        var (_, disabled) = await _host.RequestTokenAsync(IdentityHost.Medic.ClientId, IdentityHost.Medic.Secret);
        Assert.Equal("invalid_client", disabled.GetProperty("error").GetString());
        Assert.False((await _host.WithStoreAsync((clients, _) => clients.FindAsync(IdentityHost.Medic.ClientId)))!.Enabled);
    }

    [Fact]
    public async Task A_client_created_by_the_registry_gets_tokens_and_is_listed_without_its_secret()
    {
        var client = new AgencyClient("kr-nis-partner", "KR NIS liaison", "KR-NIS", [RegistryRoles.Partner], Enabled: true);
        var secret = await _host.WithStoreAsync((clients, _) => clients.CreateAsync(client));

        var token = new JsonWebToken(await _host.Tokens().GetAsync(new ClientCredentials(IdentityHost.Authority, client.ClientId, secret)));
        Assert.Equal("KR-NIS", token.GetClaim(RegistryClaims.Agency).Value);
        Assert.Equal(RegistryRoles.Partner, token.GetClaim(RegistryClaims.Role).Value);
        var listed = await _host.WithStoreAsync((clients, _) => clients.ListAsync());
        Assert.Equal(["kr-nis-partner", "ua-sbu-medic", "ua-sso-intake"], listed.Select(c => c.ClientId));
        Assert.True(listed[0].SameAs(client));
    }

    [Fact]
    public async Task A_role_outside_the_seven_is_refused()
    {
        var client = new AgencyClient("x", "x", "UA-SSO", ["admin"], Enabled: true);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _host.WithStoreAsync((clients, _) => clients.CreateAsync(client)));

        Assert.Contains("'admin' is not a role", refused.Message);
        Assert.Null(await _host.WithStoreAsync((clients, _) => clients.FindAsync("x")));
    }

    [Fact]
    public async Task The_token_client_caches_a_token_until_near_expiry_and_the_handler_sends_it_as_a_bearer()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new ClientCredentialsTokens(_host.Server.CreateClient(), clock);

        var first = await tokens.GetAsync(IdentityHost.Intake);
        clock.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal(first, await tokens.GetAsync(IdentityHost.Intake));
        // 10-minute tokens are fetched again in their last minute.
        clock.Advance(TimeSpan.FromSeconds(61));
        var second = await tokens.GetAsync(IdentityHost.Intake);
        Assert.NotEqual(first, second);

        // The handler puts the cached token on each request it sends.
        var seen = new List<string?>();
        using var http = new HttpClient(new BearerTokenHandler(tokens, IdentityHost.Intake) { InnerHandler = new Recording(seen, _host.Server.Server.CreateHandler()) })
        {
            BaseAddress = new Uri(IdentityHost.Issuer),
        };
        await http.GetAsync("/healthz");
        await http.GetAsync("/healthz");
        Assert.Equal([$"Bearer {second}", $"Bearer {second}"], seen);
    }

    /// <summary>Notes the authorization header of each request it passes on to the test server.</summary>
    private sealed class Recording(List<string?> seen, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.Headers.Authorization?.ToString());
            return base.SendAsync(request, cancellationToken);
        }
    }
}
