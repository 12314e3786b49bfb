using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Identity.Keys;

/// <summary>
/// One RSA key of the authorization server (table <c>signing_keys</c>). The private key is stored in the
/// identity database as PKCS#8 (RFC 5208), unencrypted: what protects it is the database's access control
/// (only the identity service's role reads the table) and the encryption of the volume and its backups.
/// </summary>
public sealed class SigningKey
{
    /// <summary>Signs access tokens (JWS, RFC 7515); published in the JWKS.</summary>
    public const string Signing = "sig";

    /// <summary>OpenIddict's encryption key (JWE, RFC 7516): required by OpenIddict even with access-token encryption off; not published.</summary>
    public const string Encryption = "enc";

    public long Id { get; set; }

    /// <summary>The JWK <c>kid</c> a token's header names.</summary>
    public required string KeyId { get; set; }

    /// <summary><see cref="Signing"/> or <see cref="Encryption"/>.</summary>
    public required string Use { get; set; }

    /// <summary>1 for the first key of its use, one more for each rotation; unique per use, so two writers cannot both add the same one.</summary>
    public int Generation { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it starts signing; before that it is only published, so validators have it before its first token.</summary>
    public DateTimeOffset NotBefore { get; set; }

    /// <summary>From when it is neither used nor published (a rotation sets it to the next key's start plus the longest token lifetime).</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>The RSA private key, PKCS#8 DER.</summary>
    public required byte[] PrivateKey { get; set; }

    /// <summary>A fresh 2048-bit RSA key with a random kid.</summary>
    public static SigningKey Create(string use, int generation, DateTimeOffset now, DateTimeOffset notBefore)
    {
        using var rsa = RSA.Create(2048);
        return new SigningKey
        {
            KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Use = use,
            Generation = generation,
            CreatedAt = now,
            NotBefore = notBefore,
            PrivateKey = rsa.ExportPkcs8PrivateKey(),
        };
    }

    /// <summary>The key as IdentityModel uses it, its kid set.</summary>
    public RsaSecurityKey ToSecurityKey()
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(PrivateKey, out _);
        return new RsaSecurityKey(rsa) { KeyId = KeyId };
    }
}
