using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Duplicates;

/// <summary>Duplicate detection: the same person registered twice, e.g. by two agencies (docs/linkage.md).</summary>
public sealed class DuplicateFinder(IntakeDbContext db)
{
    /// <summary>A registration or correction names at most this many candidates, the most likely first.</summary>
    public const int MaxCandidates = 50;

    /// <summary>
    /// Takes the locks of <paramref name="newCases"/>' blocking keys in the writing transaction (<see cref="DuplicateLocks"/>),
    /// waiting for writers of cases they could pair with to commit: call it before <see cref="FindForBatchAsync"/>
    /// (RegisterCapture calls committed together take it before their cases' numbers, so that a case found is numbered before
    /// them; an import after its numbers and its rows, keeping a pair found numbered later later case first);
    /// <see cref="FindAsync(CaptureCase, DateTimeOffset, CancellationToken)"/> and <see cref="FindNewAsync"/> take them
    /// themselves (a registration stores a pair whose other case came out numbered later, having committed while it
    /// waited, later case first: <see cref="DuplicateCandidate.LaterFirst"/>). Nothing on SQLite.
    /// </summary>
    public Task LockAsync(IEnumerable<CaptureCase> newCases, CancellationToken ct) =>
        db.LockForDuplicatesAsync(newCases.Select(c => LinkageRecord.Of(c.Number, c.Identity, c.CapturePlace, c.CapturedAt, c.BlockingKeys)).SelectMany(DuplicateLocks.KeysOf), ct);

    /// <summary><see cref="LockAsync(IEnumerable{CaptureCase}, CancellationToken)"/> by the keys of the new cases, computed before (<see cref="Import.ImportRow.LockKeys"/>).</summary>
    public Task LockAsync(IEnumerable<int> keys, CancellationToken ct) => db.LockForDuplicatesAsync(keys, ct);

    /// <summary>
    /// Open cases that may be the same person as <paramref name="newCase"/>, most likely first (in the writing transaction,
    /// after <see cref="LockAsync"/>): the cases the
    /// blocking rules let through (<see cref="DuplicateQuery.BlockedWith"/>), scored field by field
    /// (<see cref="LinkageModel"/>) with the registry's name frequencies (<see cref="DuplicateQuery.FrequenciesAsync"/>);
    /// those whose match weight reaches <see cref="LinkageModel.Threshold"/> are candidates.
    /// </summary>
    /// <remarks>The name frequencies are counted over the cases numbered before <paramref name="newCase"/> (<see cref="DuplicateQuery.FrequenciesAsync"/>).
    /// Timed by <see cref="DuplicateMetrics"/> (scope <c>registration</c>).</remarks>
    public async Task<List<DuplicateCandidate>> FindAsync(CaptureCase newCase, DateTimeOffset now, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // The locks here, after the case's number was taken with the plan setting (the registration's first round trip): a
        // case committed while this one waited may then be numbered after it (its caller stores such a pair later case first).
        await LockAsync([newCase], ct);
        var found = await FindAsync(newCase, now, alreadyPaired: null, beforeCase: true, ct);
        DuplicateMetrics.Record(started, "registration");
        return found;
    }

    /// <param name="alreadyPaired">Cases not to name (pairs on file); null: none.</param>
    /// <param name="beforeCase">Whether the name frequencies are counted over the cases numbered before <paramref name="newCase"/>
    /// (a new registration) or over the latest cases (an earlier case whose identity changed).</param>
    private async Task<List<DuplicateCandidate>> FindAsync(CaptureCase newCase, DateTimeOffset now, IReadOnlySet<Guid>? alreadyPaired,
        bool beforeCase, CancellationToken ct)
    {
        var record = LinkageRecord.Of(newCase.Number, newCase.Identity, newCase.CapturePlace, newCase.CapturedAt);
        var query = BlockingQuery.For(record);
        var earlier = (await db.BlockedAsync(query, newCase.Number, ct)).DistinctBy(e => e.Number).Where(e => alreadyPaired?.Contains(e.CaseId) != true).ToList();
        if (earlier.Count == 0)
        {
            return [];
        }

        var frequencies = await db.FrequenciesAsync(record, beforeRecord: beforeCase, ct);
        return earlier
            .Select(e => (e, score: LinkageModel.ScoreIfCandidate(record, e.ToLinkage(), frequencies)))
            .Where(x => x.score is not null)
            .OrderByDescending(x => x.score!.MatchWeight)
            .ThenByDescending(x => x.e.Number)
            .Take(MaxCandidates)
            .Select(x => DuplicateCandidate.Found(newCase.CaseId, newCase.Number, x.e.CaseId, x.e.Number, x.score!, now))
            .ToList();
    }

    /// <summary>
    /// <see cref="FindAsync"/> for a batch of new cases (ImportCaptures, RegisterCapture calls committed together; after
    /// <see cref="LockAsync"/>), given in their numbers' order and either not stored yet (RegisterCapture calls on PostgreSQL) or
    /// inserted in this transaction (an import on PostgreSQL; the SQLite path, which takes the numbers from the insert):
    /// each gets what it would have got had the batch been registered one case after the other — open cases before
    /// the batch and the batch's earlier cases (row 7 resembling row 3 gets row 3's case), scored with the name
    /// frequencies of the registry and the batch's earlier cases. For the whole batch, whatever its size, on PostgreSQL one
    /// blocking statement (<see cref="DuplicateQuery.BlockedForBatchAsync"/>) and one frequency statement
    /// (<see cref="DuplicateQuery.NameCountsAsync"/>, over the cases numbered before the batch's first); on SQLite one blocking
    /// statement per 200 of its parts (<see cref="DuplicateQuery.BlockedWithAny"/>) and two frequency statements (over the
    /// cases outside the batch); the rules of each case are applied in memory by <see cref="BlockingIndex"/>,
    /// which selects as the database does. One difference from one-by-one: the frequency window is not slid past the
    /// oldest cases by the batch's earlier rows (at most 1,000 of <see cref="LinkageModel.FrequencyWindow"/>), it
    /// only grows with them.
    /// </summary>
    /// <returns>One list per case of <paramref name="newCases"/>, in the same order, each most likely first.</returns>
    /// <param name="scope">How the time is tagged (<see cref="DuplicateMetrics"/>): <see cref="DuplicateMetrics.Import"/> or
    /// <see cref="DuplicateMetrics.RegistrationBatch"/>.</param>
    /// <param name="stored">Whether <paramref name="newCases"/> are inserted already in this transaction: the SQLite path, whose
    /// single writer numbers them in one run, and an agency's list on PostgreSQL, which writes its rows before it takes the
    /// duplicate locks (<see cref="Import.ImportCapturesHandler"/>). Then the blocking read leaves them out by their numbers, and
    /// the name counts are over the cases outside the batch (SQLite) or numbered before its first (PostgreSQL, as when not
    /// stored: another writer's cases may be numbered among the batch's). A case found numbered after the batch's (committed by
    /// another writer while this one waited for the locks) is named as any other; the caller keeps such a pair later case
    /// first (<see cref="DuplicateCandidate.LaterFirst"/>). Not stored (RegisterCapture calls committed together on
    /// PostgreSQL), nothing is left out.</param>
    public async Task<IReadOnlyList<List<DuplicateCandidate>>> FindForBatchAsync(IReadOnlyList<CaptureCase> newCases, bool stored, DateTimeOffset now, string scope, CancellationToken ct)
    {
        if (newCases.Count == 0)
        {
            return [];
        }

        var started = Stopwatch.GetTimestamp();
        // The keys as the case computed them (CaptureCase.RefreshKeys, when its identity was asserted), not computed again.
        var records = newCases.Select(c => LinkageRecord.Of(c.Number, c.Identity, c.CapturePlace, c.CapturedAt, c.BlockingKeys)).ToList();
        var queries = records.Select(BlockingQuery.For).ToList();
        var (first, last) = (newCases.Min(c => c.Number), newCases.Max(c => c.Number));
        // The batch's own cases, when stored, by their numbers: on PostgreSQL another writer's cases may be numbered between them.
        var own = stored ? newCases.Select(c => c.Number).ToHashSet() : null;
        bool Earlier(long number) => own is null || !own.Contains(number);

        var index = new BlockingIndex();
        var caseIds = new Dictionary<LinkageRecord, Guid>(ReferenceEqualityComparer.Instance);
        var read = new List<EarlierCase>();
        if (db.Database.IsPostgreSql())
        {
            // One text for every batch, prepared once per session (DuplicateQuery.BatchBlockingStatement): one round trip
            // however many cases, RegisterCapture calls committed together as an agency's list (until the thirty-third
            // increment of docs/performance.md a batch of up to 64 cases sent the per-case statement once a case).
            read.AddRange(await db.BlockedForBatchAsync(queries, ct));
        }
        else
        {
            foreach (var statement in db.Cases.AsNoTracking().BlockedWithAny(queries))
            {
                read.AddRange(await statement.ToListAsync(ct));
            }
        }

        foreach (var earlier in read.Where(e => Earlier(e.Number)).DistinctBy(e => e.Number))
        {
            var record = earlier.ToLinkage();
            index.Add(record);
            caseIds[record] = earlier.CaseId;
        }

        var keys = records.SelectMany(NameCounts.KeysOf).Distinct().ToList();
        // Cases not stored yet are counted against the cases numbered before the batch's first, as a registration's case is
        // against those before its own (FrequenciesAsync): the latest number need not be read first.
        var counts = keys.Count == 0
            ? new NameCounts(0, new Dictionary<string, int>(), new Dictionary<string, int>())
            : stored && !db.Database.IsPostgreSql() ? await db.NameCountsAsync(keys, ct, leftOut: (first, last)) : await db.NameCountsAsync(keys, ct, latest: first - 1);
        var (batchFamily, batchGiven) = (new Dictionary<string, int>(), new Dictionary<string, int>());
        var found = new List<List<DuplicateCandidate>>(newCases.Count);
        for (var i = 0; i < newCases.Count; i++)
        {
            var (newCase, record) = (newCases[i], records[i]);
            var selected = index.Select(queries[i], record.Number);
            if (selected.Count == 0)
            {
                found.Add([]);
            }
            else
            {
                var frequencies = counts.Frequencies(NameCounts.KeysOf(record), (batchFamily, batchGiven), moreCases: i);
                found.Add(selected.Keys
                    .Select(e => (e, score: LinkageModel.ScoreIfCandidate(record, e, frequencies)))
                    .Where(x => x.score is not null)
                    .OrderByDescending(x => x.score!.MatchWeight)
                    .ThenByDescending(x => x.e.Number)
                    .Take(MaxCandidates)
                    .Select(x => DuplicateCandidate.Found(newCase.CaseId, newCase.Number, caseIds[x.e], x.e.Number, x.score!, now))
                    .ToList());
            }

            // The case is now an earlier case for the rest of the batch, and counts among the names of the registry.
            index.Add(record);
            caseIds[record] = newCase.CaseId;
            Count(batchFamily, record.Keys.FamilyKey);
            Count(batchGiven, record.Keys.GivenKey);
        }

        DuplicateMetrics.Record(started, scope);
        return found;
    }

    private static void Count(Dictionary<string, int> counts, string? key)
    {
        if (key is not null)
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>
    /// After an identity correction: earlier or later cases the case now resembles that were never paired
    /// with it. A pair on file in any state (open, merged, not a duplicate) is not raised again, so a
    /// coordinator's decision stands.
    /// </summary>
    public async Task<List<DuplicateCandidate>> FindNewAsync(CaptureCase changed, DateTimeOffset now, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // The locks first, then the pairs on file: a registration committing meanwhile is among them, not raised twice.
        await LockAsync([changed], ct);
        var paired = (await db.DuplicateCandidates.AsNoTracking()
            .Where(d => d.CaseId == changed.CaseId || d.OtherCaseId == changed.CaseId)
            .Select(d => d.CaseId == changed.CaseId ? d.OtherCaseId : d.CaseId)
            .ToListAsync(ct)).ToHashSet();
        var found = await FindAsync(changed, now, paired, beforeCase: false, ct);
        DuplicateMetrics.Record(started, "identity_update");
        return found.Select(d => d.LaterFirst()).ToList();
    }
}
