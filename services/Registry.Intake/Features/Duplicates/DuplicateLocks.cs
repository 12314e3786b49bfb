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
/// In ascending order, so two writers never wait for each other in a cycle (PostgreSQL would break one with 40P01, which
/// <see cref="LostRace"/> runs again). The locks live in the two-key space of advisory locks (class <see cref="KeyClass"/>),
/// apart from the one-key lock of the ICRC feed's sequencer.
/// An import takes the locks before its cases' numbers, a registration after its number (taken in its first round trip with
/// the plan setting); a pair whose found case came out numbered later is stored later case first either way
/// (<see cref="DuplicateFinder.LockAsync"/>). SQLite needs none: one writer at a time, which inserts its cases before it looks
/// for their duplicates (an identity correction there looks before its transaction).
/// </summary>
public static class DuplicateLocks
{
    /// <summary>
    /// The most keys one transaction locks: about 80 rows of the load generator's lists (names in one script or two, about nine
    /// new keys a row once a part's common blocks are counted; each family and given block takes two, its birth year and the
    /// next). Raised from 512 when the blocks' locks came to name the year, which kept parts at their earlier length (and an
    /// import's parts on COPY, <see cref="Import.ImportCapturesHandler.InsertedUpTo"/>). Within the lock table of a default
    /// PostgreSQL, 6,400 locks shared by all its sessions (max_locks_per_transaction 64 × max_connections 100): at most
    /// Grpc:MaxConcurrentBulkCalls (2) imports a replica run at once, 1,536 keys.
    /// </summary>
    public const int KeysPerTransaction = 768;

    /// <summary>The class (first key) of the keys' advisory locks: "DUPK" in ASCII.</summary>
    public const int KeyClass = 0x44_55_50_4B;

    // One statement: the array is sorted and unnest returns it in order. A lock function returns void, cast so that the rows
    // can be counted.
    private static readonly string LockSql = string.Create(CultureInfo.InvariantCulture,
        $$"""SELECT count(*)::int AS "Value" FROM (SELECT pg_advisory_xact_lock({{KeyClass}}, k)::text FROM unnest({0}::int[]) AS k) AS taken""");

    /// <summary>
    /// The keys a pair of records must share one of to be compared (<see cref="BlockingQuery"/>, <see cref="BlockingIndex"/>):
    /// the values <paramref name="record"/> is looked up by and the stored keys it is found by, each named by its kind,
    /// hashed (XXH3, the same in every process) to 32 bits. A lock may be shared by records the rules keep apart, never
    /// missing from a pair they let through:
    /// <list type="bullet">
    /// <item>the service-number and whole-name keys as they are (the whole-name rule lets a pair through when either birth
    /// year is unknown, so its lock cannot name a year);</item>
    /// <item>the family and given blocks with the birth year (<see cref="YearLocks"/>): their rules let a pair through only
    /// when both years are known and within one (<see cref="BlockingQuery.InitialYearAllows"/>), so a block is locked for
    /// the year and the year after it, and two records share such a lock exactly when their years are within one. A
    /// common given name ("aleksandr/k") no longer makes every writer holding it wait for every other; a record without a
    /// birth year is neither looked up nor found by these rules and takes none of these locks.</item>
    /// </list>
    /// </summary>
    public static IEnumerable<int> KeysOf(LinkageRecord record)
    {
        var query = BlockingQuery.For(record);
        var keys = record.Keys;
        IEnumerable<string?> named =
        [
            Named("service", query.ServiceNumber), Named("service", record.ServiceNumberKey),
            .. query.FullKeys.Select(k => Named("full", k)), Named("full", keys.FullKey), Named("full", keys.FullKeyLatin),
            .. YearLocks("family", query.FamilyBlocks, query.BirthYear), .. YearLocks("family", [keys.FamilyBlock], keys.BirthYear),
            .. YearLocks("given", query.GivenBlocks, query.BirthYear), .. YearLocks("given", [keys.GivenBlock], keys.BirthYear),
        ];
        return named.OfType<string>().Distinct().Select(Hash);
    }

    private static string? Named(string kind, string? key) => key is null ? null : $"{kind}:{key}";

    /// <summary>
    /// The locks of blocks whose rule asks for both birth years known and within one: each block with
    /// <paramref name="year"/> and with the year after. Records of years y and z share one exactly when |y - z| ≤ 1
    /// ({y, y+1} and {z, z+1} meet). None when the year is unknown (the rule lets no such pair through).
    /// </summary>
    private static IEnumerable<string> YearLocks(string kind, IEnumerable<string?> blocks, int? year) =>
        year is not { } y ? [] : blocks.OfType<string>().SelectMany(b => new[] { $"{kind}:{b}@{y}", $"{kind}:{b}@{y + 1}" });

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
