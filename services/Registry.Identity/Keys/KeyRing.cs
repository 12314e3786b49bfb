using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Registry.Identity.Keys;

/// <summary>
/// The keys this server loaded at start (<see cref="Server.IdentityStartup"/>). OpenIddict signs with the
/// first signing key it is given and publishes all of them in the JWKS: the newest key whose start has come
/// goes first, the others (older ones not yet retired, a newer one not yet started) stay published.
/// </summary>
public sealed class KeyRing
{
    private IReadOnlyList<SigningKey>? _keys;

    public void Load(IReadOnlyList<SigningKey> keys, DateTimeOffset now)
    {
        if (!keys.Any(k => k.Use == SigningKey.Signing) || !keys.Any(k => k.Use == SigningKey.Encryption))
        {
            throw new InvalidOperationException("The identity store has no live signing or encryption key; `registryctl keys rotate` adds a signing key.");
        }

        _keys = keys
            .OrderByDescending(k => k.NotBefore <= now)
            .ThenByDescending(k => k.Generation)
            .ToList();
    }

    /// <summary>The keys in the order OpenIddict takes them: the one that signs first.</summary>
    public IReadOnlyList<SigningKey> Keys => _keys
        ?? throw new InvalidOperationException("The authorization server's keys are read before the store was loaded at start.");
}

/// <summary>Gives OpenIddict the keys of the <see cref="KeyRing"/> (options are built at the first request, after start).</summary>
internal sealed class ConfigureServerKeys(KeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        foreach (var key in ring.Keys)
        {
            var securityKey = key.ToSecurityKey();
            if (key.Use == SigningKey.Signing)
            {
                options.SigningCredentials.Add(new SigningCredentials(securityKey, SecurityAlgorithms.RsaSha256));
            }
            else
            {
                options.EncryptionCredentials.Add(new EncryptingCredentials(securityKey, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
            }
        }
    }
}
