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
/// rollback) on the blocking keys of its cases (<see cref="KeysOf"/>: those it looks up by and those it will be found by),
/// each in exclusive mode, in ascending order; a writer sharing one of them waits for the commit, and its look-up, a later
/// statement, then sees the cases. Writers with no key in common do not wait for each other, whatever their sizes.
/// <para>
/// A transaction holds at most <see cref="KeysPerTransaction"/> of them, within PostgreSQL's lock table
/// (max_locks_per_transaction, 64 a session by default, shared by all sessions): a writer of more keys (an agency's list,
/// RegisterCapture calls committed together) is split into consecutive parts of at most that many keys, each committed in
/// a transaction of its own (<see cref="Import.ImportCapturesHandler.RegisterAllAsync"/>), so that a registration beside a
/// long list waits only for the part holding one of its keys, not for the whole list (until the twenty-fourth increment
/// of docs/performance.md a list of more than about 50 rows locked whole buckets of its keys, nearly all of them, and held
/// back every registration until its commit).
/// </para>
/// In ascending order, so two writers never wait for each other in a cycle of these locks. One cycle with a row remains: an
/// import part holds its rows (their request_ids under the unique index) while it waits for the locks, and a registration
/// of one of those rows under the same request_id, holding the locks, waits at its insert for the part's commit; PostgreSQL
/// breaks it (40P01, within its deadlock_timeout, 1 s by default) and the loser, import part or registration, runs again
/// (<see cref="LostRace"/>) and is replayed. The locks live in the two-key space of advisory locks (class <see cref="KeyClass"/>),
/// apart from the one-key lock of the ICRC feed's sequencer.
/// RegisterCapture calls committed together take the locks before their cases' numbers; a registration alone after its number
/// (taken in its first round trip with the plan setting); an import after its numbers and its rows (written in its
/// transaction, so that another part's look-up need not wait for its COPYs); a pair whose found case came out numbered later
/// is stored later case first either way (<see cref="DuplicateFinder.LockAsync"/>). SQLite needs none: one writer at a time, which inserts its cases before it looks
/// for their duplicates (an identity correction there looks before its transaction).
/// </summary>
public static class DuplicateLocks
{
    /// <summary>
    /// The most keys one transaction locks (about 100 rows of a list of Latin names, five keys a row; fewer rows with names in
    /// two scripts): half the 1,024 bucket locks the earlier scheme took at most, well within the lock table of a default
    /// PostgreSQL (64 × its connections; at most Grpc:MaxConcurrentBulkCalls imports a replica at once).
    /// </summary>
    public const int KeysPerTransaction = 512;

    /// <summary>The class (first key) of the keys' advisory locks: "DUPK" in ASCII.</summary>
    public const int KeyClass = 0x44_55_50_4B;

    // One statement: the array is sorted and unnest returns it in order. A lock function returns void, cast so that the rows
    // can be counted.
    private static readonly string LockSql = string.Create(CultureInfo.InvariantCulture,
        $$"""SELECT count(*)::int AS "Value" FROM (SELECT pg_advisory_xact_lock({{KeyClass}}, k)::text FROM unnest({0}::int[]) AS k) AS taken""");

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
    /// Takes the locks of the keys of some records (<paramref name="keysOfRecords"/>, <see cref="KeysOf"/>; see the class) in the current transaction, waiting for writers that
    /// hold any of them to commit or roll back. Nothing on SQLite, or outside a transaction (where a lock would end at once).
    /// More than <see cref="KeysPerTransaction"/> keys are locked all the same (a lone record of that many keys: none the
    /// blocking rules make has); a list is split before it comes here.
    /// </summary>
    public static async Task LockForDuplicatesAsync(this IntakeDbContext db, IEnumerable<int> keysOfRecords, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null || !db.Database.IsPostgreSql())
        {
            return;
        }

        var keys = keysOfRecords.Distinct().Order().ToArray();
        if (keys.Length > 0)
        {
            await db.Database.ExecuteSqlRawAsync(LockSql, [keys], ct);
        }
    }

    /// <summary>
    /// Splits <paramref name="items"/> into consecutive parts whose keys (<paramref name="keysOf"/>, distinct within a part)
    /// number at most <see cref="KeysPerTransaction"/>, for a transaction each; an item of more keys is a part alone. An item
    /// whose <paramref name="groupOf"/> (non-null) an earlier item had goes into that item's part, after it, whatever its keys
    /// (an import's row repeating an earlier row's request_id, which its part answers). Items keep their order within a part.
    /// </summary>
    public static List<List<T>> Parts<T>(IReadOnlyList<T> items, Func<T, IReadOnlyCollection<int>> keysOf, Func<T, object?> groupOf)
    {
        var parts = new List<List<T>>();
        var partOf = new Dictionary<object, List<T>>();
        var current = new List<T>();
        var keys = new HashSet<int>();
        foreach (var item in items)
        {
            var group = groupOf(item);
            if (group is not null && partOf.TryGetValue(group, out var earlier))
            {
                earlier.Add(item);
                continue;
            }

            var own = keysOf(item);
            if (current.Count > 0 && keys.Count + own.Count(k => !keys.Contains(k)) > KeysPerTransaction)
            {
                parts.Add(current);
                (current, keys) = ([], []);
            }

            current.Add(item);
            keys.UnionWith(own);
            if (group is not null)
            {
                partOf[group] = current;
            }
        }

        if (current.Count > 0)
        {
            parts.Add(current);
        }

        return parts;
    }
}
