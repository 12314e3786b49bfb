using Registry.ServiceDefaults.Validation;
using Registry.ServiceDefaults.Domain;

namespace Registry.Custody.Domain;

/// <summary>
/// A list of prisoners to hand over to another power in an exchange (GC III Art. 109-118 and the parties' agreements
/// under Art. 6): the coordinator drafts it (<see cref="ExchangeListState.Draft"/>), agrees it with the counterpart
/// (<see cref="ExchangeListState.Agreed"/>: the entries are fixed) and records its execution
/// (<see cref="ExchangeListState.Executed"/>), or cancels it from DRAFT or AGREED. A case is on a list at most once; a
/// person may be on several drafts but on one agreed list at most (the store's unique index on
/// <see cref="ExchangeListEntry.OnAgreedList"/> holds it under concurrency). Every step names who took it (the caller's
/// token) and when. A step the state does not allow is refused FAILED_PRECONDITION with a reason code.
/// </summary>
public sealed class ExchangeList
{
    public const string ResourceType = "registry.custody.v1.ExchangeList";
    public const int AuthorityMaxLength = 200;
    public const int NoteMaxLength = 1000;
    public const int ReasonMaxLength = 1000;
    public const int ByMaxLength = 200;
    /// <summary>At most this many people on one list.</summary>
    public const int MaxEntries = 500;

    private ExchangeList()
    {
    }

    /// <summary>Given by the store (an identity column) when the list is first saved: unique, increasing, gaps possible.</summary>
    public long Number { get; private set; }

    /// <summary>The reference people read and quote, e.g. EX-000001.</summary>
    public string Reference => FormatReference(Number);

    public Guid ExchangeListId { get; private set; }
    /// <summary>ISO 3166-1 alpha-2 of the counterpart state.</summary>
    public string CounterpartState { get; private set; } = "";
    /// <summary>The counterpart authority's name.</summary>
    public string CounterpartAuthority { get; private set; } = "";
    public string? Note { get; private set; }
    public ExchangeListState State { get; private set; }
    /// <summary>Bumped on every change: the concurrency token, and the version AgreeExchangeList takes.</summary>
    public long Version { get; private set; }

    public string DraftedByAgency { get; private set; } = "";
    public string DraftedByClient { get; private set; } = "";
    public DateTimeOffset DraftedAt { get; private set; }
    public string? AgreedByAgency { get; private set; }
    public string? AgreedByClient { get; private set; }
    public DateTimeOffset? AgreedAt { get; private set; }
    public string? CancelledByAgency { get; private set; }
    public string? CancelledByClient { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    public string? CancelReason { get; private set; }
    public string? ExecutedByAgency { get; private set; }
    public string? ExecutedByClient { get; private set; }
    /// <summary>When the execution was recorded.</summary>
    public DateTimeOffset? ExecutionRecordedAt { get; private set; }
    /// <summary>When the exchange took place, as the execution stated it.</summary>
    public DateTimeOffset? ExecutedAt { get; private set; }

    public List<ExchangeListEntry> Entries { get; private set; } = [];

    public string Subject => $"exchange-lists/{ExchangeListId}";

    /// <summary>The counterpart as the timeline and the bus name it, e.g. "RU (Ministry of Defence)".</summary>
    public string DescribeCounterpart() => $"{CounterpartState} ({CounterpartAuthority})";

    public static string FormatReference(long number) => $"EX-{number:D6}";

    /// <summary>
    /// A new DRAFT list; <paramref name="records"/> are listed in the order given (checked by the caller: they exist, are
    /// not merged, each once). Refused CAPTIVITY_ENDED if a person's captivity already ended (<see cref="AddEntries"/>).
    /// </summary>
    public static ExchangeList Draft(
        Guid id, string counterpartState, string counterpartAuthority, string? note, IEnumerable<CustodyRecord> records,
        (string Agency, string Client) by, DateTimeOffset now)
    {
        var list = new ExchangeList
        {
            ExchangeListId = id,
            CounterpartState = counterpartState,
            CounterpartAuthority = counterpartAuthority,
            Note = note,
            State = ExchangeListState.Draft,
            DraftedByAgency = by.Agency,
            DraftedByClient = by.Client,
            DraftedAt = now,
            Version = 1,
        };
        list.AddEntries(records, now);
        return list;
    }

    /// <summary>Refuses a change of the cases unless the list is a draft (EXCHANGE_LIST_NOT_DRAFT): an agreed list is what the counterpart agreed to.</summary>
    public void EnsureDraft() => Require(ExchangeListState.Draft, "EXCHANGE_LIST_NOT_DRAFT", "change its cases");

    /// <summary>
    /// Lists more people (DRAFT only: EXCHANGE_LIST_NOT_DRAFT; none whose captivity ended: CAPTIVITY_ENDED). The caller
    /// has checked each is not on the list and the bound.
    /// </summary>
    public void Add(IEnumerable<CustodyRecord> records, DateTimeOffset now)
    {
        EnsureDraft();
        AddEntries(records, now);
        Version++;
    }

    /// <summary>Takes people off the list (DRAFT only: EXCHANGE_LIST_NOT_DRAFT).</summary>
    public IReadOnlyList<ExchangeListEntry> Remove(IReadOnlyCollection<Guid> caseIds)
    {
        EnsureDraft();
        var removed = Entries.Where(e => caseIds.Contains(e.CaseId)).ToList();
        Entries.RemoveAll(removed.Contains);
        Version++;
        return removed;
    }

    /// <summary>
    /// DRAFT → AGREED at the version the caller read. Refused EXCHANGE_LIST_NOT_DRAFT, EXCHANGE_LIST_EMPTY; the caller
    /// checks the other agreed lists (CASE_ON_AGREED_LIST) and the version (ABORTED).
    /// </summary>
    public void Agree((string Agency, string Client) by, DateTimeOffset now)
    {
        Require(ExchangeListState.Draft, "EXCHANGE_LIST_NOT_DRAFT", "be agreed");
        if (Entries.Count == 0)
        {
            throw new RuleViolationException("EXCHANGE_LIST_EMPTY", ResourceType, Subject,
                $"Exchange list {Reference} lists nobody; add the people to exchange before agreeing it.");
        }

        State = ExchangeListState.Agreed;
        (AgreedByAgency, AgreedByClient, AgreedAt) = (by.Agency, by.Client, now);
        foreach (var entry in Entries)
        {
            entry.OnAgreedList = true;
        }

        Version++;
    }

    /// <summary>DRAFT or AGREED → CANCELLED (EXCHANGE_LIST_CLOSED once executed or cancelled).</summary>
    public void Cancel(string reason, (string Agency, string Client) by, DateTimeOffset now)
    {
        if (State is not (ExchangeListState.Draft or ExchangeListState.Agreed))
        {
            throw new RuleViolationException("EXCHANGE_LIST_CLOSED", ResourceType, Subject,
                $"Exchange list {Reference} is {State.ToString().ToUpperInvariant()}; only a DRAFT or an AGREED list can be cancelled.");
        }

        State = ExchangeListState.Cancelled;
        (CancelledByAgency, CancelledByClient, CancelledAt, CancelReason) = (by.Agency, by.Client, now, reason);
        ReleaseEntries();
        Version++;
    }

    /// <summary>
    /// AGREED → EXECUTED (EXCHANGE_LIST_NOT_AGREED otherwise): <paramref name="exchange"/> hands over one listed person
    /// (the custody record's own exchange, with all its checks); a rule that refuses it holds that person back, with its
    /// reason code and text stored on the entry, and the others go on: a person whose captivity ended since the list was
    /// drafted is held back CAPTIVITY_ENDED, naming the case. The list is executed even if everyone was held back.
    /// </summary>
    public void Execute(DateTimeOffset executedAt, (string Agency, string Client) by, DateTimeOffset now, Action<ExchangeListEntry> exchange)
    {
        Require(ExchangeListState.Agreed, "EXCHANGE_LIST_NOT_AGREED", "be executed");
        foreach (var entry in Entries.OrderBy(e => e.Id))
        {
            try
            {
                exchange(entry);
                entry.Outcome = ExchangeOutcome.Exchanged;
            }
            catch (RuleViolationException refused)
            {
                entry.Outcome = ExchangeOutcome.HeldBack;
                entry.HeldBackReason = refused.Reason;
                entry.HeldBackDetail = TextRules.Cut(refused.Message, ExchangeListEntry.DetailMaxLength);
            }
        }

        State = ExchangeListState.Executed;
        (ExecutedByAgency, ExecutedByClient, ExecutionRecordedAt, ExecutedAt) = (by.Agency, by.Client, now, executedAt);
        ReleaseEntries();
        Version++;
    }

    /// <summary>
    /// Lists <paramref name="records"/>, all or none: a person whose captivity already ended (released, repatriated,
    /// exchanged, transferred to a third state, dead: <see cref="CustodyRecord.IsEnd"/>) is no longer the detaining
    /// power's to hand over, and is refused CAPTIVITY_ENDED, naming every such case (the first as the subject).
    /// </summary>
    private void AddEntries(IEnumerable<CustodyRecord> records, DateTimeOffset now)
    {
        var listed = records.ToList();
        var ended = listed.Where(r => CustodyRecord.IsEnd(r.State)).ToList();
        if (ended.Count > 0)
        {
            throw new RuleViolationException("CAPTIVITY_ENDED", CustodyRecord.ResourceType, ended[0].Subject,
                $"An exchange list hands over people still in captivity; captivity already ended for "
                + string.Join("; ", ended.Select(r => $"case {r.CaseNumber} ({r.CaseId}): {r.State} since {r.StateSince:u}"))
                + ". Leave them off the list.");
        }

        foreach (var record in listed)
        {
            Entries.Add(new ExchangeListEntry
            {
                CaseId = record.CaseId, CaseNumber = record.CaseNumber, ListedAt = now, Outcome = ExchangeOutcome.Pending,
            });
        }
    }

    /// <summary>A closed list no longer holds its people: they may be agreed on another list (a person held back, say).</summary>
    private void ReleaseEntries()
    {
        foreach (var entry in Entries)
        {
            entry.OnAgreedList = false;
        }
    }

    private void Require(ExchangeListState state, string reason, string what)
    {
        if (State != state)
        {
            throw new RuleViolationException(reason, ResourceType, Subject,
                $"Exchange list {Reference} is {State.ToString().ToUpperInvariant()}; only a{(state == ExchangeListState.Agreed ? "n" : "")} {state.ToString().ToUpperInvariant()} list can {what}.");
        }
    }
}

/// <summary>One person on an exchange list, and what the list's execution did with them.</summary>
public sealed class ExchangeListEntry
{
    public const int ReasonMaxLength = 64;
    public const int DetailMaxLength = 1000;

    internal ExchangeListEntry()
    {
    }

    public long Id { get; private set; }
    /// <summary>The list's <see cref="ExchangeList.Number"/>.</summary>
    public long ListNumber { get; private set; }
    public Guid CaseId { get; internal init; }
    /// <summary>The case number when listed.</summary>
    public string CaseNumber { get; internal init; } = "";
    public DateTimeOffset ListedAt { get; internal init; }
    /// <summary>True while the list is AGREED: a person is on one agreed list at most (a unique index over the true ones).</summary>
    public bool OnAgreedList { get; internal set; }
    public ExchangeOutcome Outcome { get; internal set; }
    /// <summary>For <see cref="ExchangeOutcome.HeldBack"/>: the reason code of the rule that refused the exchange (e.g. NON_REFOULEMENT_HOLD).</summary>
    public string? HeldBackReason { get; internal set; }
    public string? HeldBackDetail { get; internal set; }
}

public enum ExchangeListState
{
    Draft = 1,
    Agreed = 2,
    Executed = 3,
    Cancelled = 4,
}

public enum ExchangeOutcome
{
    /// <summary>The list is not executed yet.</summary>
    Pending = 1,
    Exchanged = 2,
    HeldBack = 3,
}

/// <summary>One write a caller asked of an exchange list, kept for its idempotency key: a retry with the same key answers the list as it now stands (an executed list's per-person report never changes).</summary>
public sealed class ExchangeListRequest
{
    public const int OperationMaxLength = 40;

    private ExchangeListRequest()
    {
    }

    public ExchangeListRequest(Guid requestId, byte[] requestHash, Guid exchangeListId, string operation, DateTimeOffset at)
    {
        (RequestId, RequestHash, ExchangeListId, Operation, At) = (requestId, requestHash, exchangeListId, operation, at);
    }

    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];
    public Guid ExchangeListId { get; private set; }
    /// <summary>The RPC, e.g. "ExecuteExchangeList".</summary>
    public string Operation { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
}
