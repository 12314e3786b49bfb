using Microsoft.EntityFrameworkCore;
using Registry.Identity.Data;
using Registry.ServiceDefaults.Data;

namespace Registry.Identity.Keys;

/// <summary>What <c>registryctl keys list</c> shows of a key: never the private key.</summary>
public sealed record KeyInfo(string KeyId, string Use, int Generation, DateTimeOffset CreatedAt, DateTimeOffset NotBefore, DateTimeOffset? RetiredAt);

/// <summary>The keys in the identity database: created once, rotated by an operator, loaded at start.</summary>
public sealed class SigningKeyStore(IdentityDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Creates the first signing and the first encryption key when the store has none. Safe with several
    /// replicas starting on an empty store: each key is generation 1 of its use, unique, so one insert wins
    /// and the others' lose the race and read the winner's.
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct = default)
    {
        foreach (var use in new[] { SigningKey.Signing, SigningKey.Encryption })
        {
            if (await db.Keys.AnyAsync(k => k.Use == use, ct))
            {
                continue;
            }

            var now = clock.GetUtcNow();
            var key = db.Keys.Add(SigningKey.Create(use, 1, now, now));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (Exception ex) when (LostRace.Is(ex))
            {
                // Another replica created it first; its key is the one.
            }
            finally
            {
                key.State = EntityState.Detached;
            }
        }
    }

    /// <summary>
    /// Adds a signing key that signs from <paramref name="overlap"/> from now (zero: at once; longer lets every
    /// validator fetch the new JWKS first), and retires the keys it replaces <paramref name="retireAfter"/> after
    /// the new one starts — at least the longest access-token lifetime, so tokens they signed still validate.
    /// Running servers publish and use the new key from their next start.
    /// </summary>
    /// <returns>The new key.</returns>
    public async Task<KeyInfo> RotateAsync(TimeSpan overlap, TimeSpan retireAfter, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(overlap, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retireAfter, TimeSpan.Zero);
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var now = clock.GetUtcNow();
            var keys = await db.Keys.Where(k => k.Use == SigningKey.Signing).ToListAsync(ct);
            var generation = keys.Count == 0 ? 1 : keys.Max(k => k.Generation) + 1;
            var key = SigningKey.Create(SigningKey.Signing, generation, now, now + overlap);
            foreach (var old in keys.Where(k => k.RetiredAt is null))
            {
                old.RetiredAt = key.NotBefore + retireAfter;
            }

            db.Keys.Add(key);
            try
            {
                await db.SaveChangesAsync(ct);
                return Info(key);
            }
            catch (Exception ex) when (LostRace.Is(ex) && attempt < LostRace.MaxAttempts)
            {
                // A concurrent rotation took this generation: read again and add the next.
            }
        }
    }

    /// <summary>Every key, newest first, without private keys.</summary>
    public async Task<IReadOnlyList<KeyInfo>> ListAsync(CancellationToken ct = default) =>
        (await db.Keys.AsNoTracking().ToListAsync(ct))
            .OrderBy(k => k.Use).ThenByDescending(k => k.Generation).Select(Info).ToList();

    /// <summary>The keys not retired at <paramref name="now"/>, with their private keys: what a server loads.</summary>
    public async Task<IReadOnlyList<SigningKey>> LoadLiveAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return (await db.Keys.AsNoTracking().ToListAsync(ct)).Where(k => k.RetiredAt is null || k.RetiredAt > now).ToList();
    }

    private static KeyInfo Info(SigningKey k) => new(k.KeyId, k.Use, k.Generation, k.CreatedAt, k.NotBefore, k.RetiredAt);
}
