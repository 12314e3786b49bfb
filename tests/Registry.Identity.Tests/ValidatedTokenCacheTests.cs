using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Security;

namespace Registry.Identity.Tests;

/// <summary>
/// The services' memory of validated access tokens, with real RS256 tokens and IdentityModel's own validation: a token is
/// answered from memory only while it has not expired, its authority's keys are the ones it was checked against and it was
/// checked at most five minutes ago; each answer carries its own claims. "Answered from memory" is seen by the token
/// object: a full validation parses the token into a new one.
/// </summary>
public sealed class ValidatedTokenCacheTests
{
    private const string Issuer = "https://authority.example/";
    private static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = "key-1" };

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private static OpenIdConnectConfiguration Keys(params SecurityKey[] keys)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        foreach (var key in keys)
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }

    /// <summary>The services' own parameters (no clock skew here), with the authority's configuration as given.</summary>
    private static TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration)
    {
        var parameters = RegistryAuthentication.ValidationParameters(new RegistryAuthOptions { Authority = Issuer }, TimeSpan.Zero);
        parameters.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        return parameters;
    }

    private static string Token(TimeSpan lifetime, SecurityKey? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = RegistryClaims.Audience,
        IssuedAt = DateTime.UtcNow,
        NotBefore = DateTime.UtcNow,
        Expires = DateTime.UtcNow + lifetime,
        // A jti of its own: RS256 signs deterministically, so two tokens minted in one second would otherwise be one string.
        Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString()), new Claim(RegistryClaims.ClientId, "unit-65"), new Claim(RegistryClaims.Agency, "UA-SSO"), new Claim(RegistryClaims.Role, RegistryRoles.Custodian)]),
        SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.RsaSha256),
    });

    [Fact]
    public async Task A_valid_token_is_answered_from_memory_the_next_time_each_answer_with_its_own_claims()
    {
        var cache = new ValidatedTokenCache(16, _clock);
        var parameters = Parameters(Keys(Key));
        var token = Token(TimeSpan.FromMinutes(10));

        var first = await cache.ValidateTokenAsync(token, parameters);
        // What the first call adds to its identity is not remembered either.
        first.ClaimsIdentity.AddClaim(new Claim(RegistryClaims.Role, RegistryRoles.Coordinator));
        var second = await cache.ValidateTokenAsync(token, parameters);
        var third = await cache.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.True(second.IsValid && third.IsValid);
        Assert.Equal(1, cache.Count);
        Assert.Same(first.SecurityToken, second.SecurityToken);
        Assert.Same(first.SecurityToken, third.SecurityToken);
        // Each call its own identity, of the same kind and with the same claims: what one call adds, the next does not see.
        Assert.NotSame(second.ClaimsIdentity, third.ClaimsIdentity);
        Assert.Equal(first.ClaimsIdentity.GetType(), second.ClaimsIdentity.GetType());
        Assert.Equal(2, cache.Hits);
        Assert.Equal(first.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)).Where(c => c.Value != RegistryRoles.Coordinator),
            second.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)));
        Assert.Equal("unit-65", second.ClaimsIdentity.Name);
        Assert.True(new ClaimsPrincipal(second.ClaimsIdentity).IsInRole(RegistryRoles.Custodian));
        second.ClaimsIdentity.AddClaim(new Claim(RegistryClaims.Role, RegistryRoles.Auditor));
        var fourth = await cache.ValidateTokenAsync(token, parameters);
        Assert.DoesNotContain(fourth.ClaimsIdentity.Claims, c => c.Value == RegistryRoles.Auditor);
    }

    [Fact]
    public async Task A_token_is_validated_in_full_again_once_it_expires_or_five_minutes_after_its_check()
    {
        var cache = new ValidatedTokenCache(16, _clock);
        var parameters = Parameters(Keys(Key));
        var shortLived = Token(TimeSpan.FromMinutes(2));
        var longLived = Token(TimeSpan.FromHours(1));
        var shortFirst = await cache.ValidateTokenAsync(shortLived, parameters);
        var longFirst = await cache.ValidateTokenAsync(longLived, parameters);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Same(shortFirst.SecurityToken, (await cache.ValidateTokenAsync(shortLived, parameters)).SecurityToken);

        // Past the short token's exp (on the cache's clock): checked again in full; the long one is still remembered.
        _clock.Advance(TimeSpan.FromMinutes(1.5));
        Assert.NotSame(shortFirst.SecurityToken, (await cache.ValidateTokenAsync(shortLived, parameters)).SecurityToken);
        Assert.Same(longFirst.SecurityToken, (await cache.ValidateTokenAsync(longLived, parameters)).SecurityToken);

        // Five minutes after its check the long-lived token is checked again too.
        _clock.Advance(ValidatedTokenCache.MaxAge - TimeSpan.FromMinutes(2));
        var longAgain = await cache.ValidateTokenAsync(longLived, parameters);
        Assert.True(longAgain.IsValid);
        Assert.NotSame(longFirst.SecurityToken, longAgain.SecurityToken);
    }

    [Fact]
    public async Task A_token_whose_key_the_authority_no_longer_publishes_is_refused_at_once()
    {
        var cache = new ValidatedTokenCache(16, _clock);
        var token = Token(TimeSpan.FromMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, Parameters(Keys(Key)))).IsValid);

        // The authority's keys read again, the token's key gone (rotated out after a compromise).
        var rotated = await cache.ValidateTokenAsync(token, Parameters(Keys(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "key-2" })));

        Assert.False(rotated.IsValid);
        Assert.IsAssignableFrom<SecurityTokenSignatureKeyNotFoundException>(rotated.Exception);
    }

    /// <summary>
    /// After a refresh that dropped the token's key, IdentityModel still accepts the token by its last-known-good
    /// configuration (for up to an hour); the cache does not remember such a token, so it never lengthens that hour.
    /// </summary>
    [Fact]
    public async Task A_token_accepted_only_by_the_last_known_good_keys_is_not_remembered()
    {
        var cache = new ValidatedTokenCache(16, _clock);
        var parameters = Parameters(Keys(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "key-2" }));
        parameters.ConfigurationManager.LastKnownGoodConfiguration = Keys(Key);
        var token = Token(TimeSpan.FromMinutes(10));

        var first = await cache.ValidateTokenAsync(token, parameters);
        var second = await cache.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.True(second.IsValid);
        Assert.Equal(0, cache.Count);
        Assert.NotSame(first.SecurityToken, second.SecurityToken);
    }

    [Fact]
    public async Task Refusals_are_not_remembered_and_a_full_memory_is_emptied_of_expired_tokens_first()
    {
        var cache = new ValidatedTokenCache(2, _clock);
        var parameters = Parameters(Keys(Key));
        var foreign = Token(TimeSpan.FromMinutes(10), new RsaSecurityKey(RSA.Create(2048)) { KeyId = "not-published" });

        Assert.False((await cache.ValidateTokenAsync(foreign, parameters)).IsValid);
        Assert.Equal(0, cache.Count);

        var soon = Token(TimeSpan.FromMinutes(1));
        var later = Token(TimeSpan.FromMinutes(10));
        await cache.ValidateTokenAsync(soon, parameters);
        var laterFirst = await cache.ValidateTokenAsync(later, parameters);
        Assert.Equal(2, cache.Count);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var third = await cache.ValidateTokenAsync(Token(TimeSpan.FromMinutes(10)), parameters);

        Assert.True(third.IsValid);
        Assert.Equal(2, cache.Count);
        // The expired token made room; the other is still remembered.
        Assert.Same(laterFirst.SecurityToken, (await cache.ValidateTokenAsync(later, parameters)).SecurityToken);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("100001")]
    public void A_size_out_of_range_stops_the_service_naming_the_setting(string size)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Issuer,
            ["Auth:ValidatedTokens"] = size,
        }).Build();

        var refused = Assert.Throws<InvalidConfigurationException>(() => RegistryAuthOptions.From(configuration));

        Assert.Contains("Auth:ValidatedTokens", refused.Message, StringComparison.Ordinal);
        Assert.Contains(size, refused.Message, StringComparison.Ordinal);
    }
}
