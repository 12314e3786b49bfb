namespace Registry.ServiceDefaults.Data;

/// <summary>
/// Keys of PostgreSQL advisory locks (<c>pg_advisory_lock(bigint)</c>): a stable 64-bit number from a name, FNV-1a over its
/// UTF-8 bytes, so that each process of a service computes the same key without a table of numbers. Advisory locks are
/// scoped to their database, so one name serves every service's own store.
/// </summary>
public static class AdvisoryLockKey
{
    /// <summary>The key of <paramref name="name"/> (any string; by convention <c>registry.&lt;purpose&gt;.&lt;store&gt;</c>).</summary>
    public static long For(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
