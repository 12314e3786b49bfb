using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain.Linkage;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>
/// Makes writers that could pair their new cases look for duplicates one after the other, on PostgreSQL. Under READ
/// COMMITTED a transaction's duplicate look-up sees only committed cases: two registrations of the same person running
/// at once (an import beside another, or beside RegisterCapture) would each miss the other, and the pair would never be
/// raised. Before its look-up, a writer therefore takes transaction-scoped advisory locks (released at its commit or
/// rollback) on the blocking keys of its cases (<see cref="KeysOf"/>: those it looks up by and those it will be found by);
/// a writer sharing one of them waits for the commit, and its look-up, a later statement, then sees the cases.
/// Writers of a few keys with none in common do not wait for each other.
/// <list type="bullet">
/// <item>A few keys (up to <see cref="FineUpTo"/>: a registration, a batch of RegisterCapture calls, a short list): the
/// bucket of each key (<see cref="Buckets"/> of them) in shared mode, then each key in exclusive mode.</item>
/// <item>More (an agency's list of more than about 50 rows): each bucket of its keys in exclusive mode, so that a
/// transaction holds at most 1,024 locks (512 in the other mode), within PostgreSQL's lock table (max_locks_per_transaction,
/// 64 a session by default, shared by all sessions); such a list waits for, and holds back, every writer whose keys share a
/// bucket, which for hundreds of rows is nearly every writer, from its look-up to its commit.</item>
/// </list>
/// Both in ascending order, buckets before keys, so two writers never wait for each other in a cycle (PostgreSQL would
/// break one with 40P01, which <see cref="LostRace"/> runs again). The locks live in the two-key space of advisory locks
/// (classes <see cref="BucketClass"/>, <see cref="KeyClass"/>), apart from the one-key lock of the ICRC feed's sequencer.
/// An import takes the locks before its cases' numbers, a registration after its number (taken in its first round trip with
/// the plan setting); a pair whose found case came out numbered later is stored later case first either way
/// (<see cref="DuplicateFinder.LockAsync"/>). SQLite needs none: one writer at a time, which inserts its cases before it looks
/// for their duplicates (an identity correction there looks before its transaction).
/// </summary>
public static class DuplicateLocks
{
    /// <summary>How many buckets the keys are hashed into.</summary>
    public const int Buckets = 1024;

    /// <summary>Up to this many distinct keys, a writer locks each key; above, whole buckets.</summary>
    public const int FineUpTo = 256;

    /// <summary>The class (first key) of the buckets' advisory locks: "DUPB" in ASCII.</summary>
    public const int BucketClass = 0x44_55_50_42;

    /// <summary>The class (first key) of the keys' advisory locks: "DUPK" in ASCII.</summary>
    public const int KeyClass = 0x44_55_50_4B;

    // One statement whatever the mode: the arrays are sorted, unnest returns them in order, and the branches of UNION ALL
    // run one after the other. A lock function returns void, cast so that the rows can be counted.
    private static readonly string LockSql = string.Create(CultureInfo.InvariantCulture, $$"""
        SELECT count(*)::int AS "Value" FROM (
            SELECT pg_advisory_xact_lock_shared({{BucketClass}}, b)::text FROM unnest({0}::int[]) AS b
            UNION ALL SELECT pg_advisory_xact_lock({{BucketClass}}, b)::text FROM unnest({1}::int[]) AS b
            UNION ALL SELECT pg_advisory_xact_lock({{KeyClass}}, k)::text FROM unnest({2}::int[]) AS k) AS taken
        """);

    /// <summary>
    /// The keys a pair of records must share one of to be compared (<see cref="BlockingQuery"/>, <see cref="BlockingIndex"/>):
    /// the values <paramref name="record"/> is looked up by and the stored keys it is found by, each named by its kind,
    /// hashed (XXH3, the same in every process) to 32 bits. Birth years are left out: a lock may be shared by records
    /// the rules' years keep apart, never missing from a pair they let through.
    /// </summary>
    public static IEnumerable<int> KeysOf(LinkageRecord record)
    {
        var query = BlockingQuery.For(record);
        var keys = record.Keys;
        IEnumerable<string?> named =
        [
            Named("service", query.ServiceNumber), Named("service", record.ServiceNumberKey),
            .. query.FullKeys.Select(k => Named("full", k)), Named("full", keys.FullKey), Named("full", keys.FullKeyLatin),
            .. query.FamilyBlocks.Select(k => Named("family", k)), Named("family", keys.FamilyBlock),
            .. query.GivenBlocks.Select(k => Named("given", k)), Named("given", keys.GivenBlock),
        ];
        return named.OfType<string>().Distinct().Select(Hash);
    }

    private static string? Named(string kind, string? key) => key is null ? null : $"{kind}:{key}";

    private static int Hash(string key) => unchecked((int)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan())));

    /// <summary>
    /// Takes the locks of <paramref name="records"/> (see the class) in the current transaction, waiting for writers that
    /// hold any of them to commit or roll back. Nothing on SQLite, or outside a transaction (where a lock would end at once).
    /// </summary>
    public static async Task LockForDuplicatesAsync(this IntakeDbContext db, IEnumerable<LinkageRecord> records, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null || !db.Database.IsPostgreSql())
        {
            return;
        }

        var keys = records.SelectMany(KeysOf).Distinct().Order().ToArray();
        if (keys.Length == 0)
        {
            return;
        }

        var buckets = keys.Select(k => (int)((uint)k % Buckets)).Distinct().Order().ToArray();
        var (shared, exclusive, fine) = keys.Length <= FineUpTo ? (buckets, Array.Empty<int>(), keys) : ([], buckets, []);
        await db.Database.ExecuteSqlRawAsync(LockSql, [shared, exclusive, fine], ct);
    }
}
