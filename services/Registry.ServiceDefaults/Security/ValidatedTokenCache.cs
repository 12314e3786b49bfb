using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The JWT bearer handler's token handler (<c>JwtBearerOptions.TokenHandlers</c>): validates an access token as
/// <see cref="JsonWebTokenHandler"/> does (RFC 7519: signature, issuer, audience, lifetime) and remembers a valid one,
/// so that the next call carrying the same token skips parsing, the signature and the claims. An agency's client sends
/// one token for minutes (the client-credentials grant, RFC 6749 §4.4), and the gateway and each service validated it
/// again on every call: about 6 % of each process's CPU under case-file reads.
/// <para>A remembered token is answered valid only while all of these hold, else it is validated again in full:</para>
/// <list type="bullet">
/// <item>it has not expired (<c>exp</c>, without the clock skew the full validation would still allow);</item>
/// <item>the authority's configuration (discovery document and signing keys, RFC 7517) is the one it was validated
/// against: after a refresh each token is validated in full again. A token is remembered only when its key is one of the
/// current configuration's: one that IdentityModel accepted by a key the authority no longer publishes (its
/// last-known-good configuration, kept for up to an hour after a refresh) is validated in full on every call, as without
/// this cache, so the cache never lengthens that hour;</item>
/// <item>it was validated at most <see cref="MaxAge"/> ago.</item>
/// </list>
/// Each call gets its own copy of the claims (<see cref="ClaimsIdentity.Clone"/>), so nothing a call adds is seen by
/// another. Refusals are not remembered. What is checked per call after authentication stays per call: the disabled
/// clients (<see cref="DisabledClients"/>) and the access table (<see cref="AccessPolicy"/>). Holds at most
/// <paramref name="capacity"/> tokens (a few KB each); when full, the expired ones go, then all of them. One instance serves
/// one authentication scheme: the validation parameters of its calls are taken to be the same each time.
/// </summary>
public sealed class ValidatedTokenCache(int capacity, TimeProvider clock) : TokenHandler
{
    /// <summary>The longest a validation is reused, whatever the token's lifetime.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    private long _hits;

    /// <summary>How many tokens are remembered now.</summary>
    public int Count => _validated.Count;

    /// <summary>How many validations were answered from memory since the start.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (validationParameters.ConfigurationManager is not { } configurationManager)
        {
            // Keys given directly: nothing to tell a change of keys by, so nothing is remembered.
            return await _inner.ValidateTokenAsync(token, validationParameters);
        }

        BaseConfiguration configuration;
        try
        {
            configuration = await configurationManager.GetBaseConfigurationAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The authority's configuration cannot be read: the full validation says so in its own words.
            return await _inner.ValidateTokenAsync(token, validationParameters);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (_validated.TryGetValue(token, out var known))
        {
            if (ReferenceEquals(known.Configuration, configuration) && now < known.Until)
            {
                Interlocked.Increment(ref _hits);
                return known.Answer();
            }

            _validated.TryRemove(KeyValuePair.Create(token, known));
        }

        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, ClaimsIdentity: { } identity, SecurityToken: JsonWebToken jwt } && capacity > 0
            && configuration.SigningKeys.Contains(jwt.SigningKey)
            && (jwt.ValidTo < now + MaxAge ? jwt.ValidTo : now + MaxAge) is var until && until > now)
        {
            if (_validated.Count >= capacity)
            {
                Sweep(now);
            }

            _validated[token] = new Validated(identity.Clone(), jwt, result.Issuer, result.TokenType, configuration, until);
        }

        return result;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    private void Sweep(DateTime now)
    {
        foreach (var (key, entry) in _validated)
        {
            if (entry.Until <= now)
            {
                _validated.TryRemove(KeyValuePair.Create(key, entry));
            }
        }

        if (_validated.Count >= capacity)
        {
            _validated.Clear();
        }
    }

    private sealed record Validated(ClaimsIdentity Identity, JsonWebToken Token, string Issuer, string TokenType, BaseConfiguration Configuration, DateTime Until)
    {
        public TokenValidationResult Answer() => new()
        {
            IsValid = true,
            ClaimsIdentity = Identity.Clone(),
            SecurityToken = Token,
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
