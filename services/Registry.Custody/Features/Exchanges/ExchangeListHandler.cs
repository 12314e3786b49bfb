using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Exchanges;

/// <summary>One listed person and their custody record as it stands now (null if custody has none, which cannot happen for a listed case).</summary>
public sealed record ExchangeListLine(ExchangeListEntry Entry, CustodyRecord? Record);

/// <summary>What every exchange-list write and read answers: the list, its entries in the order listed, and whether this was a replay.</summary>
public sealed record ExchangeListView(ExchangeList List, IReadOnlyList<ExchangeListLine> Lines, bool Replayed);

/// <summary>
/// The exchange lists' writes (<see cref="ExchangeList"/>). Each is idempotent on request_id (the key is stored in
/// exchange_list_requests with the list it changed; a retry answers the list as it now stands, which for an execution is
/// the same per-person report) and a read-check-write of the list guarded by its version, run again when a concurrent
/// writer got in first (<see cref="LostRace.RetryAsync{T}"/>). Who took a step comes from the caller's verified token.
/// </summary>
/// <remarks>
/// The execution runs in ONE transaction for the whole list: the list becomes EXECUTED, each person is exchanged or held
/// back, and every exchanged person's timeline event and CaptivityEnded (through the outbox) commit together or not at
/// all. A per-person transaction would leave, after a crash half-way, people exchanged under a list still AGREED, and a
/// second execution would then report them held back by CAPTIVITY_ENDED; with one transaction the report stored on the
/// entries is always the one that happened, and a replay answers it. A list holds at most 500 people, one transaction of
/// that size is small. A listed person changed meanwhile (their record's version moved) makes the save fail and the whole
/// execution run again on what now stands.
/// </remarks>
public sealed class ExchangeListHandler(
    CustodyDbContext db, OutboxSignal<CustodyDbContext> outbox, TimeProvider clock, ILogger<ExchangeListHandler> logger,
    Fitness.MedicalFitness fitness)
{
    public Task<ExchangeListView> DraftAsync(ExchangeListDraft draft, CallerIdentity caller, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        return WriteAsync(draft.Key, "DraftExchangeList", id, async (now, token) =>
        {
            var records = await ListableAsync(draft.CaseIds, list: null, token);
            var list = ExchangeList.Draft(id, draft.CounterpartState, draft.CounterpartAuthority, draft.Note, records, (caller.Agency, caller.ClientId), now);
            db.ExchangeLists.Add(list);
            return list;
        }, ct);
    }

    public Task<ExchangeListView> AddAsync(ExchangeListCases add, CancellationToken ct) =>
        WriteAsync(add.Key, "AddToExchangeList", add.ExchangeListId, async (now, token) =>
        {
            var list = await LoadAsync(add.ExchangeListId, tracked: true, token);
            list.EnsureDraft();
            var records = await ListableAsync(add.CaseIds, list, token);
            list.Add(records, now);
            return list;
        }, ct);

    public Task<ExchangeListView> RemoveAsync(ExchangeListCases remove, CancellationToken ct) =>
        WriteAsync(remove.Key, "RemoveFromExchangeList", remove.ExchangeListId, async (_, token) =>
        {
            var list = await LoadAsync(remove.ExchangeListId, tracked: true, token);
            list.EnsureDraft();
            var errors = new FieldViolations();
            for (var i = 0; i < remove.CaseIds.Count; i++)
            {
                if (list.Entries.All(e => e.CaseId != remove.CaseIds[i]))
                {
                    errors.Add($"case_ids[{i}]", $"names case {remove.CaseIds[i]}, which is not on exchange list {list.Reference}");
                }
            }

            errors.ThrowIfAny();
            list.Remove(remove.CaseIds.ToHashSet());
            return list;
        }, ct);

    public Task<ExchangeListView> AgreeAsync(ExchangeListStepCommand agree, CallerIdentity caller, CancellationToken ct) =>
        WriteAsync(agree.Key, "AgreeExchangeList", agree.ExchangeListId, async (now, token) =>
        {
            var list = await LoadAsync(agree.ExchangeListId, tracked: true, token);
            if (list.State == ExchangeListState.Draft && list.Version != agree.Version)
            {
                throw RpcErrors.Aborted(ExchangeList.ResourceType, list.Subject, agree.Version, list.Version);
            }

            // A person is on one agreed list at most: the unique index on the agreed entries holds it against a list
            // agreed concurrently (this attempt then fails on it and runs again, to be refused here).
            var caseIds = list.Entries.Select(e => e.CaseId).ToList();
            var elsewhere = await (
                from e in db.ExchangeListEntries
                join other in db.ExchangeLists on e.ListNumber equals other.Number
                where e.OnAgreedList && e.ListNumber != list.Number && caseIds.Contains(e.CaseId)
                orderby e.Id
                select new { e.CaseNumber, e.CaseId, other.Number }).ToListAsync(token);
            if (list.State == ExchangeListState.Draft && elsewhere.Count > 0)
            {
                throw new RuleViolationException("CASE_ON_AGREED_LIST", ExchangeList.ResourceType, list.Subject,
                    $"A person may be on one agreed exchange list at most; already on an agreed list: "
                    + string.Join("; ", elsewhere.Select(x => $"case {x.CaseNumber} ({x.CaseId}) on {ExchangeList.FormatReference(x.Number)}"))
                    + ". Remove them from this list, or cancel the other.");
            }

            list.Agree((caller.Agency, caller.ClientId), now);
            return list;
        }, ct);

    public Task<ExchangeListView> CancelAsync(ExchangeListStepCommand cancel, CallerIdentity caller, CancellationToken ct) =>
        WriteAsync(cancel.Key, "CancelExchangeList", cancel.ExchangeListId, async (now, token) =>
        {
            var list = await LoadAsync(cancel.ExchangeListId, tracked: true, token);
            list.Cancel(cancel.Reason!, (caller.Agency, caller.ClientId), now);
            return list;
        }, ct);

    /// <summary>Executes an agreed list: each person exchanged through <see cref="CustodyRecord.Exchange"/>, or held back with the rule's reason.</summary>
    public async Task<ExchangeListView> ExecuteAsync(ExchangeListStepCommand execute, CallerIdentity caller, CancellationToken ct)
    {
        var view = await WriteAsync(execute.Key, "ExecuteExchangeList", execute.ExchangeListId, async (now, token) =>
        {
            var list = await LoadAsync(execute.ExchangeListId, tracked: true, token);
            if (list.State == ExchangeListState.Agreed && execute.ExecutedAt < list.AgreedAt)
            {
                var errors = new FieldViolations();
                errors.Add("executed_at", $"must not be before the list was agreed ({list.AgreedAt:yyyy-MM-ddTHH:mm:ssZ})");
                errors.ThrowIfAny();
            }

            var caseIds = list.Entries.Select(e => e.CaseId).ToList();
            var records = await db.Records.Where(r => caseIds.Contains(r.CaseId)).ToDictionaryAsync(r => r.CaseId, token);
            var note = $"exchanged under exchange list {list.Reference} with {list.DescribeCounterpart()}";
            var checks = list.State == ExchangeListState.Agreed
                ? await FitnessAsync(records.Values, execute, token)
                : new Dictionary<Guid, object>();
            list.Execute(execute.ExecutedAt, (caller.Agency, caller.ClientId), now, entry =>
            {
                if (!records.TryGetValue(entry.CaseId, out var record))
                {
                    throw new RuleViolationException("CASE_NOT_IN_CUSTODY", CustodyRecord.ResourceType, $"cases/{entry.CaseId}",
                        $"Custody has no record of case {entry.CaseNumber}.");
                }

                var fit = checks.GetValueOrDefault(record.CaseId);
                if (fit is RuleViolationException refused && CustodyRecord.Allowed[record.State].Contains(CustodyEventKind.Exchanged) && record.NonRefoulementHold() is null)
                {
                    throw refused;
                }

                var exchanged = record.Exchange(execute.ExecutedAt, fit is Fitness.FitnessCheck check ? $"{note}; {check.Describe()}" : note, now);
                db.Events.Add(exchanged);
                db.OutboxMessages.Add(OutboxMessage.Create(new CaptivityEnded
                {
                    CaseId = record.CaseId,
                    EndedAt = execute.ExecutedAt,
                    Way = "EXCHANGED",
                    ToState = list.CounterpartState,
                    Detail = $"exchange list {list.Reference} with {list.DescribeCounterpart()}",
                }, now));
            });
            return list;
        }, ct);

        if (!view.Replayed)
        {
            logger.LogInformation("Exchange list {Reference} executed: {Exchanged} exchanged, {HeldBack} held back",
                view.List.Reference, view.Lines.Count(l => l.Entry.Outcome == ExchangeOutcome.Exchanged),
                view.Lines.Count(l => l.Entry.Outcome == ExchangeOutcome.HeldBack));
        }

        return view;
    }

    /// <summary>
    /// The fitness question for each person the state machine and the hold would let go (the others are held back by
    /// those first, and medical is not asked): the <see cref="Fitness.FitnessCheck"/>, or the refusal that holds the person
    /// back (unfit, no assessment in force, or medical unreachable as MEDICAL_UNAVAILABLE), asked before the list's
    /// transaction so that no database session waits on medical.
    /// </summary>
    private async Task<Dictionary<Guid, object>> FitnessAsync(IEnumerable<CustodyRecord> records, ExchangeListStepCommand execute, CancellationToken ct)
    {
        var answers = new Dictionary<Guid, object>();
        foreach (var record in records.Where(r => CustodyRecord.Allowed[r.State].Contains(CustodyEventKind.Exchanged) && r.NonRefoulementHold() is null))
        {
            try
            {
                answers[record.CaseId] = await fitness.CheckAsync(
                    record.CaseId, Protos.Medical.V1.FitnessPurpose.Repatriation, execute.ExecutedAt, execute.FitnessOverrideReason, record.Subject, ct);
            }
            catch (RuleViolationException refused)
            {
                answers[record.CaseId] = refused;
            }
            catch (global::Grpc.Core.RpcException unavailable) when (unavailable.StatusCode == global::Grpc.Core.StatusCode.Unavailable)
            {
                answers[record.CaseId] = new RuleViolationException("MEDICAL_UNAVAILABLE", CustodyRecord.ResourceType, record.Subject,
                    $"Medical did not answer whether case {record.CaseNumber} is fit for the journey; execute a later list, or give a fitness override reason.");
            }
        }

        return answers;
    }

    public async Task<ExchangeListView> GetAsync(Guid exchangeListId, CancellationToken ct) =>
        await ViewAsync(await LoadAsync(exchangeListId, tracked: false, ct), replayed: false, ct);

    /// <summary>A page of lists (in the order drafted, optionally of one state), each with its number of entries.</summary>
    public async Task<(Page<ExchangeList> Page, IReadOnlyDictionary<long, int> EntryCounts)> ListAsync(ExchangeListState? state, PageRequest request, CancellationToken ct)
    {
        var query = db.ExchangeLists.AsNoTracking();
        if (state is { } s)
        {
            query = query.Where(l => l.State == s);
        }

        var page = await query.ToKeysetPageAsync(request, l => l.Number, ct);
        var numbers = page.Items.Select(l => l.Number).ToList();
        var counts = await db.ExchangeListEntries.Where(e => numbers.Contains(e.ListNumber))
            .GroupBy(e => e.ListNumber).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return (page, counts);
    }

    private async Task<ExchangeListView> WriteAsync(
        IdempotencyKey key, string operation, Guid listId, Func<DateTimeOffset, CancellationToken, Task<ExchangeList>> change, CancellationToken ct)
    {
        var write = new IdempotentWrite<ExchangeListRequest, ExchangeListView>(db, key)
        {
            FindPrior = (requestId, token) => db.ExchangeListRequests.AsNoTracking().SingleOrDefaultAsync(r => r.RequestId == requestId, token),
            PriorHash = r => r.RequestHash,
            Replay = async (r, token) => await ViewAsync(await LoadAsync(r.ExchangeListId, tracked: false, token), replayed: true, token),
            Conflict = r => $"request_id was already used for a different exchange-list request ({r.Operation}); use a new request_id.",
        };
        var view = await write.ExecuteAsync(token => LostRace.RetryAsync(db, ExchangeList.ResourceType, $"exchange-lists/{listId}", async attempt =>
        {
            // A concurrent call with the same request_id committed since the look-up: not a race to run again, but its answer to replay.
            if (await db.ExchangeListRequests.AnyAsync(r => r.RequestId == key.RequestId, attempt))
            {
                throw new DbUpdateException($"request_id {key.RequestId} was committed by a concurrent call.");
            }

            var now = clock.GetUtcNow().ToMicroseconds();
            var list = await change(now, attempt);
            db.ExchangeListRequests.Add(new ExchangeListRequest(key.RequestId, key.RequestHash, list.ExchangeListId, operation, now));
            await db.SaveChangesAsync(attempt);
            return await ViewAsync(list, replayed: false, attempt);
        }, token), ct);

        if (!view.Replayed)
        {
            outbox.Notify();
            logger.LogInformation("Exchange list {Reference}: {Operation} ({State}, {Entries} entries)",
                view.List.Reference, operation, view.List.State, view.Lines.Count);
        }

        return view;
    }

    /// <summary>
    /// The records of cases to list, in the order given: each must exist in custody and not be merged (INVALID_ARGUMENT on
    /// <c>case_ids[i]</c>, naming the survivor), not be on <paramref name="list"/> already, and the list must stay within
    /// <see cref="ExchangeList.MaxEntries"/>.
    /// </summary>
    private async Task<List<CustodyRecord>> ListableAsync(IReadOnlyList<Guid> caseIds, ExchangeList? list, CancellationToken ct)
    {
        var ids = caseIds.ToList();
        var found = ids.Count == 0 ? [] : await db.Records.AsNoTracking().Where(r => ids.Contains(r.CaseId)).ToDictionaryAsync(r => r.CaseId, ct);
        var survivorIds = found.Values.Where(r => r.MergedIntoCaseId is not null).Select(r => r.MergedIntoCaseId!.Value).Distinct().ToList();
        var survivors = survivorIds.Count == 0 ? [] : await db.Records.AsNoTracking().Where(r => survivorIds.Contains(r.CaseId)).ToDictionaryAsync(r => r.CaseId, ct);
        var errors = new FieldViolations();
        var records = new List<CustodyRecord>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (!found.TryGetValue(ids[i], out var record))
            {
                errors.Add($"case_ids[{i}]", $"names case {ids[i]}, of which custody has no record");
            }
            else if (record.MergedIntoCaseId is { } survivorId)
            {
                var number = survivors.TryGetValue(survivorId, out var survivor) ? $"{survivor.CaseNumber} " : "";
                errors.Add($"case_ids[{i}]", $"names case {record.CaseNumber}, merged into case {number}({survivorId}) as the same person; list that case instead");
            }
            else if (list?.Entries.Any(e => e.CaseId == record.CaseId) == true)
            {
                errors.Add($"case_ids[{i}]", $"names case {record.CaseNumber}, which is already on exchange list {list.Reference}");
            }
            else
            {
                records.Add(record);
            }
        }

        var total = (list?.Entries.Count ?? 0) + ids.Count;
        if (total > ExchangeList.MaxEntries)
        {
            errors.Add("case_ids", $"would make {total} entries; an exchange list holds at most {ExchangeList.MaxEntries}");
        }

        errors.ThrowIfAny();
        return records;
    }

    private Task<ExchangeList> LoadAsync(Guid id, bool tracked, CancellationToken ct) =>
        (tracked ? db.ExchangeLists : db.ExchangeLists.AsNoTracking()).Include(l => l.Entries)
            .SingleOrNotFoundAsync(l => l.ExchangeListId == id, ExchangeList.ResourceType, $"exchange-lists/{id}", ct);

    /// <summary>The list with each entry's custody record as it stands now (its state, its non-refoulement hold).</summary>
    private async Task<ExchangeListView> ViewAsync(ExchangeList list, bool replayed, CancellationToken ct)
    {
        var ids = list.Entries.Select(e => e.CaseId).ToList();
        var records = ids.Count == 0 ? [] : await db.Records.AsNoTracking().Where(r => ids.Contains(r.CaseId)).ToDictionaryAsync(r => r.CaseId, ct);
        var lines = list.Entries.OrderBy(e => e.Id).Select(e => new ExchangeListLine(e, records.GetValueOrDefault(e.CaseId))).ToList();
        return new ExchangeListView(list, lines, replayed);
    }
}
