using System.Diagnostics;
using System.Security.Cryptography;
using Google.Rpc;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Features.Import;

/// <summary>What became of one row of an import.</summary>
public enum ImportOutcome
{
    Created,
    Replayed,
    Refused,
}

/// <summary>
/// One row's result: the case it opened or replayed (null when refused), its duplicate candidates, or why it was refused.
/// <see cref="Case"/> is the case as stored when this call opened it (a created row, or a later row of the same call
/// replaying it); null for a row replayed from an earlier call, whose case was not read, and for a refused row.
/// </summary>
public sealed record ImportedRow(
    int Index,
    string RequestId,
    ImportOutcome Outcome,
    Guid? CaseId,
    long? CaseNumber,
    IReadOnlyList<DuplicateCandidate> DuplicateCandidates,
    IReadOnlyList<BadRequest.Types.FieldViolation> Violations,
    CaptureCase? Case = null,
    DateTimeOffset? PriorRegisteredAt = null)
{
    /// <summary>When the row's case was registered: by this call (<see cref="Case"/>) or by the earlier call a replay answers; null when refused.</summary>
    public DateTimeOffset? RegisteredAt => Case?.RegisteredAt ?? PriorRegisteredAt;
}

/// <summary>
/// Registers an agency's list of captured persons (GC III Art. 122: the information bureau's lists) in a transaction per part
/// of about 100 rows (<see cref="DuplicateLocks.Parts"/>; one on SQLite), each valid row exactly as RegisterCapture registers one (<see cref="Registration.RegisterCaptureHandler"/>):
/// the case, its identity assertions and first status, its duplicate candidates, the CaseRegistered event through the
/// outbox, the admission capture card's clock (Art. 70) and the ICRC's notification, committed by the shared commit
/// path (<see cref="CaseStore.CommitAsync"/>). Batched, not one registration per row: one statement reads every
/// row's earlier use of its request_id, one takes the part's case numbers (in the rows' order), its rows go in together
/// (COPY, or one command of INSERTs), and duplicate detection runs once for the part (<see cref="DuplicateFinder.FindForBatchAsync"/>)
/// under the duplicate locks (<see cref="DuplicateLocks"/>), taken on PostgreSQL after the rows so that only the look-up and the
/// candidates' insert are done while holding them.
/// <para>
/// Idempotent per row, as RegisterCapture is per call (<see cref="IdempotentWrite{TPrior, TResponse}"/>): a row whose
/// request_id was used before for the same registration (the same SHA-256 of the row, by RegisterCapture or an
/// import) is REPLAYED with that case; for a different registration it is REFUSED with a violation on
/// <c>request_id</c>. Within one call, a later row with an earlier row's request_id is the same: REPLAYED with the
/// earlier row's case when it is the same row, REFUSED otherwise. A concurrent call that takes a row's request_id
/// first makes this one's insert fail on the unique index; that row's part then runs again from the read
/// (<see cref="LostRace.RetryAsync"/>) and the row is replayed or refused.
/// </para>
/// </summary>
public sealed class ImportCapturesHandler(
    IntakeDbContext db, CaseStore cases, DuplicateFinder duplicates, TimeProvider clock, ILogger<ImportCapturesHandler> logger)
{
    private const string RequestIdField = "request_id";

    /// <summary>
    /// Up to this many new cases a transaction (on PostgreSQL), their rows go in as one command of multi-row INSERTs
    /// (<see cref="InsertBatch"/>): one round trip where a binary COPY a table takes two, sixteen for a registration's eight
    /// tables (with its duplicate candidates). More, by COPY, as before (its round trips are few beside a long part's rows;
    /// multi-row INSERTs were not measured against it there): docs/performance.md, "A registration batch in fewer round trips".
    /// </summary>
    public const int InsertedUpTo = 64;

    public async Task<IReadOnlyList<ImportedRow>> HandleAsync(IReadOnlyList<ImportRow> rows, CancellationToken ct)
    {
        var budget = new RefusalBudget();
        var results = await InPartsAsync(rows, (part, token) => RegisterIsolatingAsync(part, budget, token), ct);
        var created = results.Count(r => r.Outcome == ImportOutcome.Created);
        var replayed = results.Count(r => r.Outcome == ImportOutcome.Replayed);
        logger.LogInformation("Imported {Rows} rows: {Created} cases opened, {Replayed} replayed, {Refused} refused",
            rows.Count, created, replayed, rows.Count - created - replayed);
        return results;
    }

    /// <summary>
    /// Registers <paramref name="rows"/> as <see cref="HandleAsync"/> does, without its log line and without isolating a row
    /// the store refuses: the path of RegisterCapture calls committed together (<see cref="Registration.RegistrationBatcher"/>).
    /// </summary>
    public Task<IReadOnlyList<ImportedRow>> RegisterAllAsync(IReadOnlyList<ImportRow> rows, CancellationToken ct) =>
        InPartsAsync(rows, RegisterPartAsync, ct);

    /// <summary>
    /// Runs <paramref name="register"/> on each part of <paramref name="rows"/> in turn, a transaction each, and gives the results
    /// in the rows' order. On PostgreSQL the parts are those of <see cref="DuplicateLocks.Parts"/>: consecutive rows whose
    /// duplicate locks number at most <see cref="DuplicateLocks.KeysPerTransaction"/> (about 100 rows), so that a long list
    /// holds back only the writers whose keys one part shares, for that part's time; a row repeating an earlier row's
    /// request_id is in that row's part, which answers it. A later part finds an earlier part's cases as earlier cases, as a
    /// later row of one transaction does. A part that fails fails the call with the parts before it committed: its rows,
    /// sent again, are replayed. SQLite (one writer at a time, which takes no locks): one part.
    /// </summary>
    private async Task<IReadOnlyList<ImportedRow>> InPartsAsync(IReadOnlyList<ImportRow> rows,
        Func<IReadOnlyList<ImportRow>, CancellationToken, Task<IReadOnlyList<ImportedRow>>> register, CancellationToken ct)
    {
        if (!db.Database.IsPostgreSql())
        {
            return await register(rows, ct);
        }

        // The keys computed once, to split the rows and then to lock them.
        var keyed = rows.Select(r => r with { LockKeys = LockKeysOf(r.Registration) }).ToList();
        var parts = DuplicateLocks.Parts(keyed, row => row.LockKeys!, row => row.Registration?.Key.RequestId);
        if (parts.Count <= 1)
        {
            return await register(keyed, ct);
        }

        var byIndex = new Dictionary<int, ImportedRow>(rows.Count);
        try
        {
            foreach (var part in parts)
            {
                foreach (var result in await register(part, ct))
                {
                    byIndex[result.Index] = result;
                }
            }
        }
        catch (Exception ex) when (byIndex.Count > 0)
        {
            // The parts before the one that failed are committed: the access audit names their cases (the call's row, CANCELLED
            // or whatever ended it), as it names those of a call that succeeds; sent again, they are replayed.
            MarkStoredBeforeFailure(ex, byIndex.Values);
            throw;
        }

        return rows.Select(r => byIndex[r.Index]).ToList();
    }

    /// <summary>
    /// The key of <see cref="Exception.Data"/> under which a call that failed after some of its parts were committed carries
    /// how many cases those parts opened (an int): its rows' metrics count them created, not failed.
    /// </summary>
    public const string CreatedBeforeFailureKey = "registry.import.created_before_failure";

    /// <summary>
    /// Marks <paramref name="failure"/> with <paramref name="stored"/>, rows committed before it by an earlier part or an
    /// earlier half: their cases for the access audit (<see cref="ProtoCaseFields.NameStoredBeforeFailure"/>), the cases they
    /// opened under <see cref="CreatedBeforeFailureKey"/>; both add to what an inner step marked.
    /// </summary>
    private static void MarkStoredBeforeFailure(Exception failure, IEnumerable<ImportedRow> stored)
    {
        var rows = stored.ToList();
        ProtoCaseFields.NameStoredBeforeFailure(failure, rows.Where(r => r.CaseId is not null).Select(r => r.CaseId!.Value));
        failure.Data[CreatedBeforeFailureKey] = (failure.Data[CreatedBeforeFailureKey] as int? ?? 0) + rows.Count(r => r.Outcome == ImportOutcome.Created);
    }

    /// <summary>
    /// The keys the duplicate locks of <paramref name="registration"/>'s case will be (<see cref="DuplicateLocks.KeysOf"/>,
    /// computed from the registration before its case exists); none for a row refused before (null).
    /// </summary>
    public static IReadOnlyCollection<int> LockKeysOf(CaptureRegistration? registration)
    {
        if (registration is null)
        {
            return [];
        }

        var identity = new PersonIdentity();
        foreach (var (name, value) in registration.Identity)
        {
            IdentityFields.Find(name)?.Set(identity, value);
        }

        return DuplicateLocks.KeysOf(Domain.Linkage.LinkageRecord.Of(0, identity, registration.Capture.Place, registration.Capture.CapturedAt)).ToList();
    }

    /// <summary>Registers <paramref name="rows"/> in one transaction, run again after a lost race (<see cref="LostRace.RetryAsync"/>).</summary>
    private Task<IReadOnlyList<ImportedRow>> RegisterPartAsync(IReadOnlyList<ImportRow> rows, CancellationToken ct) =>
        LostRace.RetryAsync(db, CaptureCase.ResourceType, "imports", token => ImportAsync(rows, token), ct);

    /// <summary>
    /// The rows a call may have refused one by one for the store before the refusal is taken for something else than a
    /// row's value (a sequence at its limit is in SQLSTATE class 22 too): then the call fails INTERNAL as a whole, rather
    /// than run two transactions a row and blame every row. A retry replays what the halves stored.
    /// </summary>
    public const int MaxStoreRefusedRows = 16;

    private sealed class RefusalBudget
    {
        public int Left { get; set; } = MaxStoreRefusedRows;
    }

    /// <summary>
    /// <see cref="RegisterPartAsync"/>, except that a part the store refuses as a whole (a value validation let through and
    /// the database would not hold, <see cref="RefusedValue"/>: a fault of the registry that every retry meets again) is
    /// registered again in halves, each in a transaction of its own, down to the row that fails alone. That row is refused
    /// with a violation of no field naming the store's code and the trace; the others are registered (a later half
    /// finds an earlier half's cases as earlier cases, duplicates included; a later row with an earlier half's request_id is
    /// replayed from the stored case). One such row costs about 2 log2(rows) more transactions; none costs nothing. At most
    /// <see cref="MaxStoreRefusedRows"/> rows are refused so.
    /// </summary>
    private async Task<IReadOnlyList<ImportedRow>> RegisterIsolatingAsync(IReadOnlyList<ImportRow> rows, RefusalBudget budget, CancellationToken ct)
    {
        try
        {
            return await RegisterPartAsync(rows, ct);
        }
        catch (Exception ex) when (RefusedValue.Of(ex) is { } refused && !ct.IsCancellationRequested && budget.Left > 0)
        {
            // What the failed attempt tracked (the SQLite path adds its cases to the context) must not go in with a half.
            db.ChangeTracker.Clear();
            if (rows.Count(r => r.Registration is not null) <= 1)
            {
                budget.Left--;
                logger.LogError(ex, "ImportCaptures: the store refused a row ({Refusal}); a fault of the registry, the row is refused alone", refused.Description);
                var violation = new BadRequest.Types.FieldViolation
                {
                    Field = "",
                    Description = $"the registry could not store this row (a fault of the registry, not of the row: report it with trace id " +
                        $"{Activity.Current?.TraceId.ToString() ?? "none"}): {refused.Description}",
                };
                return rows.Select(r => Refused(r, r.Registration is null ? r.Violations : [violation])).ToList();
            }

            // Each half keeps its rows' indexes in the call (what the results and the messages name).
            var half = rows.Count / 2;
            var first = await RegisterIsolatingAsync(rows.Take(half).ToList(), budget, ct);
            try
            {
                return [.. first, .. await RegisterIsolatingAsync(rows.Skip(half).ToList(), budget, ct)];
            }
            catch (Exception failure)
            {
                // The first half is committed: the call's audit row and metrics count it although the call fails.
                MarkStoredBeforeFailure(failure, first);
                throw;
            }
        }
    }

    private sealed record Prior(Guid RequestId, byte[] RequestHash, Guid CaseId, long Number, string CapturingAgency, DateTimeOffset RegisteredAt);

    private async Task<IReadOnlyList<ImportedRow>> ImportAsync(IReadOnlyList<ImportRow> rows, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var ids = rows.Where(r => r.Registration is not null).Select(r => r.Registration!.Key.RequestId).Distinct().ToList();
        var prior = ids.Count == 0 ? [] : await db.Cases.AsNoTracking()
            .Where(c => ids.Contains(c.RequestId))
            .Select(c => new Prior(c.RequestId, c.RequestHash, c.CaseId, c.Number, c.CapturingAgency, c.RegisteredAt))
            .ToListAsync(ct);
        var priorById = prior.ToDictionary(p => p.RequestId);

        // A row's place in this list (a part of a call has rows of the call's indexes, ImportRow.Index: RegisterIsolatingAsync).
        var at = new Dictionary<int, int>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            at[rows[i].Index] = i;
        }

        var results = new ImportedRow?[rows.Count];
        var created = new List<(ImportRow Row, CaptureCase Case, IReadOnlyList<IdentityAssertion> Assertions, StatusChange Status)>();
        var firstInCall = new Dictionary<Guid, (ImportRow Row, int Created)>();
        var replayedInCall = new List<(int Index, int Created)>();
        var replayedPrior = new List<(int Index, Prior Prior)>();
        foreach (var row in rows)
        {
            if (row.Registration is not { } registration)
            {
                results[at[row.Index]] = Refused(row, row.Violations);
                continue;
            }

            var key = registration.Key;
            if (priorById.TryGetValue(key.RequestId, out var earlier))
            {
                if (SameRequest(earlier.RequestHash, key.RequestHash))
                {
                    replayedPrior.Add((row.Index, earlier));
                }
                else
                {
                    // As RegisterCapture: the earlier case is named only to its own agency.
                    results[at[row.Index]] = Refused(row, [Conflict(earlier.CapturingAgency == registration.Capture.CapturingAgency
                        ? $"case {CaptureCase.FormatCaseNumber(earlier.Number)}" : null)]);
                }

                continue;
            }

            if (firstInCall.TryGetValue(key.RequestId, out var first))
            {
                if (SameRequest(first.Row.Registration!.Key.RequestHash, key.RequestHash))
                {
                    replayedInCall.Add((row.Index, first.Created));
                }
                else
                {
                    results[at[row.Index]] = Refused(row, [Conflict($"rows[{first.Row.Index}] of this call, its index counted from 0")]);
                }

                continue;
            }

            var entity = CaptureCase.Register(key.RequestId, key.RequestHash, registration.Capture, now);
            var assertions = entity.Assert(registration.Identity, registration.IdentitySource, now);
            var status = entity.InitialStatus(registration.StatusCategory, now);
            firstInCall[key.RequestId] = (row, created.Count);
            created.Add((row, entity, assertions, status));
        }

        IReadOnlyList<List<DuplicateCandidate>> found = [];
        if (created.Count > 0)
        {
            var scope = rows.Any(r => r.FromCall) ? DuplicateMetrics.RegistrationBatch : DuplicateMetrics.Import;
            var newCases = created.Select(c => c.Case).ToList();
            var assertions = created.SelectMany(c => c.Assertions).ToList();
            var statuses = created.Select(c => c.Status).ToList();
            // As RegisterCapture: the event names the number the database gave; the capture card's clock runs from registration
            // until custody reports the admission. A RegisterCapture call committed in a batch: its event carries its own caller's
            // trace on across the bus (none when the call was not traced); an import's rows share the call's. As RegisterCapture,
            // the ICRC's notification of each case is written without a place: the feed's sequencer places them after the commit
            // (NotificationSequencer), in the order they were inserted.
            List<OutboxMessage> Events() => created.Select(c => OutboxMessage.Create(CaseEvents.Registered(c.Case), now, c.Row.FromCall ? c.Row.Cause : Activity.Current)).ToList();
            List<CaptureCard> Cards() => newCases.Select(c => CaptureCard.Owed(c, CaptureCardReason.Admission, now, now)).ToList();
            List<IcrcNotification> Notifications() => newCases.Select(c => IcrcFeed.Notification(c, NotificationKind.Registration, IcrcFeed.RegisteredSummary(c), now)).ToList();
            if (db.Database.IsPostgreSql())
            {
                // An agency's list (no row from a RegisterCapture call) writes its rows before it waits for the duplicate locks, so
                // that it holds them only for its look-up (blocking read, name counts), its candidates' insert and its commit: a
                // part's COPYs, most of its time, overlap another part's look-up instead of waiting for its commit
                // (docs/performance.md, "An import part's rows written before its duplicate locks"). Its cases are then in the table
                // its look-up reads, which leaves them out; a case another writer commits while this one waits may be numbered after
                // these, and such a pair is kept later case first, as a registration keeps it. Holding its rows while it waits, it can
                // close a cycle with a registration of one of them under the same request_id (DuplicateLocks): PostgreSQL breaks it
                // and the loser runs again. RegisterCapture calls committed together keep the locks first: their rows and candidates
                // go in one command, one round trip, which this order would split in two.
                var rowsFirst = !rows.Any(r => r.FromCall);
                Task LockAsync(CancellationToken token) => created.All(c => c.Row.LockKeys is not null)
                    ? duplicates.LockAsync(created.SelectMany(c => c.Row.LockKeys!), token)
                    : duplicates.LockAsync(newCases, token);

                // The numbers and the notifications' ids from the identities (one statement, in the rows' order); without rowsFirst
                // after the duplicate locks, and duplicates are looked for before the cases go in, so the statements need not leave
                // the batch out.
                await cases.CommitNewAsync(newCases.Count, rowsFirst ? _ => Task.CompletedTask : LockAsync,
                    async (allotted, token) =>
                    {
                        for (var i = 0; i < newCases.Count; i++)
                        {
                            newCases[i].Allot(allotted[i].CaseNumber);
                        }

                        var (events, cards, notifications) = (Events(), Cards(), Notifications());
                        // A notification's body goes into its own table under the notification's id (IcrcNotificationConfiguration).
                        for (var i = 0; i < notifications.Count; i++)
                        {
                            notifications[i].Allot(allotted[i].NotificationId);
                        }

                        if (rowsFirst)
                        {
                            await WriteAsync(newCases, assertions, statuses, [], events, cards, notifications, token);
                            await LockAsync(token);
                            found = [.. (await duplicates.FindForBatchAsync(newCases, stored: true, now, scope, token))
                                .Select(f => f.Select(d => d.LaterFirst()).ToList())];
                            await WriteAsync([], [], [], [.. found.SelectMany(f => f)], [], [], [], token);
                        }
                        else
                        {
                            found = await duplicates.FindForBatchAsync(newCases, stored: false, now, scope, token);
                            await WriteAsync(newCases, assertions, statuses, [.. found.SelectMany(f => f)], events, cards, notifications, token);
                        }
                    }, ct);
            }
            else
            {
                await cases.CommitAsync(ct, async token =>
                {
                    db.Cases.AddRange(newCases);
                    await db.SaveChangesAsync(token);
                    found = await duplicates.FindForBatchAsync(newCases, stored: true, now, scope, token);
                    db.IdentityAssertions.AddRange(assertions);
                    db.StatusChanges.AddRange(statuses);
                    db.DuplicateCandidates.AddRange(found.SelectMany(f => f));
                    db.OutboxMessages.AddRange(Events());
                    db.CaptureCards.AddRange(Cards());
                    db.Notifications.AddRange(Notifications());
                });
            }
        }

        for (var i = 0; i < created.Count; i++)
        {
            var (row, entity, _, _) = created[i];
            results[at[row.Index]] = new ImportedRow(row.Index, row.RequestId, ImportOutcome.Created, entity.CaseId, entity.Number, found[i], [], entity);
        }

        foreach (var (index, createdAt) in replayedInCall)
        {
            var entity = created[createdAt].Case;
            results[at[index]] = new ImportedRow(index, rows[at[index]].RequestId, ImportOutcome.Replayed, entity.CaseId, entity.Number, found[createdAt], [], entity);
        }

        if (replayedPrior.Count > 0)
        {
            // As RegisterCapture's replay: the open pairs each case's registration found, best first; two statements for all replayed rows.
            var open = await FirstAnswerCandidates.ReadAsync(db, replayedPrior.Select(r => r.Prior.CaseId), ct);
            foreach (var (index, earlier) in replayedPrior)
            {
                results[at[index]] = new ImportedRow(index, rows[at[index]].RequestId, ImportOutcome.Replayed, earlier.CaseId, earlier.Number,
                    [.. open[earlier.CaseId]], [], PriorRegisteredAt: earlier.RegisteredAt);
            }
        }

        return results.Select(r => r!).ToList();
    }

    /// <summary>
    /// Writes a part's rows without the change tracker (PostgreSQL): up to <see cref="InsertedUpTo"/> new cases' rows as one
    /// command of multi-row INSERTs (one round trip), more by a binary COPY a table (two round trips each; EF Core's INSERTs,
    /// a row each, cost more than all the rest of an import). A concurrent call with one of the request_ids loses at the
    /// cases' insert, on the unique index (and runs again). Empty lists write nothing.
    /// </summary>
    private async Task WriteAsync(List<CaptureCase> newCases, List<IdentityAssertion> assertions, List<StatusChange> statuses,
        List<DuplicateCandidate> candidates, List<OutboxMessage> events, List<CaptureCard> cards, List<IcrcNotification> notifications,
        CancellationToken ct)
    {
        var rows = Math.Max(newCases.Count, candidates.Count);
        if (rows == 0)
        {
            return;
        }

        if (rows <= InsertedUpTo)
        {
            await new InsertBatch(db).AddRange(newCases).AddRange(assertions).AddRange(statuses).AddRange(candidates)
                .AddRange(events).AddRange(cards).AddRange(notifications).ExecuteAsync(ct);
        }
        else
        {
            await db.CopyAsync(newCases, ct);
            await db.CopyAsync(assertions, ct);
            await db.CopyAsync(statuses, ct);
            await db.CopyAsync(candidates, ct);
            await db.CopyAsync(events, ct);
            await db.CopyAsync(cards, ct);
            await db.CopyAsync(notifications, ct);
        }
    }

    private static bool SameRequest(byte[]? stored, byte[] hash) => stored is not null && CryptographicOperations.FixedTimeEquals(stored, hash);

    private static ImportedRow Refused(ImportRow row, IReadOnlyList<BadRequest.Types.FieldViolation> violations) =>
        new(row.Index, row.RequestId, ImportOutcome.Refused, null, null, [], violations);

    /// <summary>RegisterCapture's ALREADY_EXISTS, as a violation of the row's request_id, naming what used it when the caller may know.</summary>
    private static BadRequest.Types.FieldViolation Conflict(string? usedBy) => new()
    {
        Field = RequestIdField,
        Description = $"request_id was already used for a different registration{(usedBy is null ? "" : $" ({usedBy})")}; use a new request_id.",
    };
}
