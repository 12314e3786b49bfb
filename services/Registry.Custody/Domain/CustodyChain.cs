using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Registry.ServiceDefaults.Validation;

namespace Registry.Custody.Domain;

/// <summary>
/// The hash that chains a custody event to the one before, as the contract (custody.proto, CustodyEvent)
/// spells it out, so that an auditor can recompute it from the timeline alone. Each field is one line of the hashed
/// text, so no field may hold a line break of any kind (<see cref="TextRules.LineBreaks"/>, not only LF): the
/// validators refuse them at input, and <see cref="Hash"/> refuses to hash a field that holds one.
/// </summary>
public static class CustodyChain
{
    /// <exception cref="ArgumentException">A field holds a line or paragraph separator.</exception>
    public static string Hash(CustodyEvent e)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(e))
        {
            if (TextRules.HasLineBreak(line))
            {
                throw new ArgumentException($"A field of custody event {e.Sequence} of case {e.CaseId} holds a line break; the chain hashes one field per line.", nameof(e));
            }

            text.Append(line).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Whether a case's events, in sequence order, form an unbroken chain.</summary>
    public static bool Verify(IReadOnlyList<CustodyEvent> events)
    {
        var walk = new ChainWalk();
        return events.All(e => walk.Check(e) is null);
    }

    /// <summary>
    /// Checks one event against the chain so far (<paramref name="previousHash"/>: the hash of the event before, "" for the
    /// first; <paramref name="expectedSequence"/>: the sequence it must carry): the first thing wrong with it, or null.
    /// The checks run in this order: the sequence (a missing or repeated event), a field with a line break (the hashed
    /// text would be ambiguous), previous_hash (the link to the event before), then the event's own hash.
    /// </summary>
    public static ChainBreak? Check(CustodyEvent e, long expectedSequence, string previousHash)
    {
        if (e.Sequence > expectedSequence)
        {
            return new ChainBreak(expectedSequence, ChainBreakReason.SequenceGap,
                $"event {expectedSequence} is missing: the event after {expectedSequence - 1} is {e.Sequence}");
        }

        if (e.Sequence < expectedSequence)
        {
            return new ChainBreak(e.Sequence, ChainBreakReason.SequenceDuplicate,
                $"event {e.Sequence} appears again (or out of order) where event {expectedSequence} was expected");
        }

        if (Lines(e).Any(TextRules.HasLineBreak))
        {
            return new ChainBreak(e.Sequence, ChainBreakReason.LineBreak, $"a field of event {e.Sequence} holds a line break; the chain hashes one field per line");
        }

        if (e.PreviousHash != previousHash)
        {
            return new ChainBreak(e.Sequence, ChainBreakReason.PreviousHashMismatch,
                $"event {e.Sequence}'s previous_hash is {Show(e.PreviousHash)}, but the event before it hashes to {Show(previousHash)}");
        }

        var hash = Hash(e);
        return hash == e.Hash ? null
            : new ChainBreak(e.Sequence, ChainBreakReason.HashMismatch, $"event {e.Sequence}'s fields hash to {hash}, not to its stored hash {Show(e.Hash)}: the event was altered");
    }

    private static string Show(string hash) => hash.Length == 0 ? "empty" : hash;

    private static IEnumerable<string> Lines(CustodyEvent e) =>
    [
        e.PreviousHash,
        e.CaseId.ToString(),
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.Kind.ToString().ToUpperSnake(),
        e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        e.RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        e.FacilityName ?? "",
        e.FacilityLocality ?? "",
        e.FacilityCountry ?? "",
        e.CustodianAgency,
        e.Note ?? "",
    ];

    private static string ToUpperSnake(this string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}

/// <summary>What is wrong at the first broken place of a custody chain (custody.proto, ChainBreakReason).</summary>
public enum ChainBreakReason
{
    /// <summary>The event's fields do not hash to its stored hash: the event was altered.</summary>
    HashMismatch = 1,
    /// <summary>The event's previous_hash is not the hash of the event before it (that one was altered and re-hashed, or replaced).</summary>
    PreviousHashMismatch = 2,
    /// <summary>An event is missing: the sequence jumps.</summary>
    SequenceGap = 3,
    /// <summary>A sequence repeats or goes back.</summary>
    SequenceDuplicate = 4,
    /// <summary>A field holds a line break, which the one-field-per-line hashed text cannot hold.</summary>
    LineBreak = 5,
    /// <summary>The record's event count or head hash disagree with the timeline's last event (events removed or added at the end).</summary>
    RecordHeadMismatch = 6,
    /// <summary>
    /// The record's state is not the one its timeline leads to (the state column altered, e.g. an ended captivity set back
    /// to held): the events, replayed through the state machine's targets, end in another state.
    /// </summary>
    RecordStateMismatch = 7,
    /// <summary>
    /// A field of the record that the timeline implies is not what its events make it (the column altered outside the
    /// timeline, e.g. the non-refoulement risk set to low, which lifts the hold): <see cref="ChainBreak.Field"/> names it.
    /// Compared: return_risk and return_risk_assessed_at once the timeline holds a risk assessment, return_wish and
    /// return_wish_recorded_at once it holds a wish, facility and custodian_agency always.
    /// </summary>
    RecordFieldMismatch = 8,
}

/// <summary>
/// The first broken event of a chain: its sequence (for a missing event, the one missing; for a record field, the event
/// that set the value the timeline implies), what is wrong, in words, and for <see cref="ChainBreakReason.RecordFieldMismatch"/>
/// the record's field, as custody.proto names it (e.g. "return_risk").
/// </summary>
public sealed record ChainBreak(long Sequence, ChainBreakReason Reason, string Detail, string? Field = null);

/// <summary>
/// Walks a chain one event at a time, in sequence order, so that a long timeline can be checked page by page without
/// holding it whole: <see cref="Check"/> answers the first break and, once one is found, keeps answering it.
/// </summary>
public sealed class ChainWalk
{
    /// <summary>How many events were walked without a break.</summary>
    public long Count { get; private set; }

    /// <summary>The hash of the last event walked without a break ("" before the first).</summary>
    public string Head { get; private set; } = "";

    public ChainBreak? Break { get; private set; }

    public ChainBreak? Check(CustodyEvent e)
    {
        if (Break is not null)
        {
            return Break;
        }

        Break = CustodyChain.Check(e, Count + 1, Head);
        if (Break is null)
        {
            Count = e.Sequence;
            Head = e.Hash;
            Follow(e.Kind);
            FollowFacts(e);
        }

        return Break;
    }

    /// <summary>The implied non-refoulement risk: the latest assessed of the timeline's assessments (null: none in the timeline).</summary>
    public (ReturnRisk Level, DateTimeOffset At, long Sequence)? Risk { get; private set; }

    /// <summary>The implied wish about return: the latest taken of the timeline's wishes (null: none in the timeline).</summary>
    public (ReturnWish Wish, DateTimeOffset At, long Sequence)? Wish { get; private set; }

    /// <summary>The implied place of internment and custodian, and the event that set them (<see cref="CustodyRecord.Facility"/>, <see cref="CustodyRecord.CustodianAgency"/>).</summary>
    public (Facility? Facility, string Custodian, long Sequence)? Place { get; private set; }

    /// <summary>
    /// What each event implies for the record's other fields, by the same rules as the record's moves: the latest
    /// assessment and wish stand (an older one entered late changes nothing, as <see cref="CustodyRecord.AssessReturnRisk"/>);
    /// the capture sets the custodian; an admission, an arrival, a recapture, a transfer to a third state and a merge
    /// (whose event carries the place the record kept) set the place and the custodian; the other events leave them.
    /// </summary>
    private void FollowFacts(CustodyEvent e)
    {
        switch (e.Kind)
        {
            case CustodyEventKind.ReturnRiskAssessed when ReturnEventNote.RiskOf(e.Note) is { } level:
                if (Risk is not { } risk || e.OccurredAt >= risk.At)
                {
                    Risk = (level, e.OccurredAt, e.Sequence);
                }

                break;
            case CustodyEventKind.ReturnWishRecorded when ReturnEventNote.WishOf(e.Note) is { } wish:
                if (Wish is not { } taken || e.OccurredAt >= taken.At)
                {
                    Wish = (wish, e.OccurredAt, e.Sequence);
                }

                break;
            case CustodyEventKind.Captured:
                Place = (null, e.CustodianAgency, e.Sequence);
                break;
            case CustodyEventKind.Admitted or CustodyEventKind.TransferArrived or CustodyEventKind.Recaptured
                or CustodyEventKind.TransferredToThirdState or CustodyEventKind.MergedFrom:
                Place = (e.Facility, e.CustodianAgency, e.Sequence);
                break;
        }
    }

    /// <summary>
    /// The state the events walked so far lead to (<see cref="CustodyRecord.Target"/>'s rules); null when it cannot be told
    /// from the timeline alone: after a merge into this record, whose state then came from the other record.
    /// </summary>
    public CustodyState? State { get; private set; }

    private bool _admitted;

    private void Follow(CustodyEventKind kind)
    {
        _admitted |= kind is CustodyEventKind.Admitted or CustodyEventKind.TransferArrived or CustodyEventKind.Recaptured;
        State = kind switch
        {
            CustodyEventKind.Captured => CustodyState.AwaitingAdmission,
            CustodyEventKind.Admitted or CustodyEventKind.TransferArrived or CustodyEventKind.Recaptured => CustodyState.Held,
            CustodyEventKind.TransferStarted => CustodyState.InTransfer,
            CustodyEventKind.Hospitalised => CustodyState.Hospitalised,
            CustodyEventKind.Discharged => State is null ? null : _admitted ? CustodyState.Held : CustodyState.AwaitingAdmission,
            CustodyEventKind.Escaped => CustodyState.Escaped,
            CustodyEventKind.Released => CustodyState.Released,
            CustodyEventKind.Repatriated => CustodyState.Repatriated,
            CustodyEventKind.Exchanged => CustodyState.Exchanged,
            CustodyEventKind.TransferredToThirdState => CustodyState.TransferredToThirdState,
            CustodyEventKind.Died => CustodyState.Deceased,
            CustodyEventKind.MergedInto => CustodyState.Merged,
            _ => null, // MergedFrom: the state came from the merged record
        };
    }

    /// <summary>
    /// After the last event: whether the record's own count and head (<see cref="CustodyRecord.EventCount"/>,
    /// <see cref="CustodyRecord.HeadHash"/>) agree with the walked chain; the break if not (and no break before it).
    /// </summary>
    /// <remarks>Then whether the record's <paramref name="recordState"/> is the one the timeline leads to, where it can tell.</remarks>
    public ChainBreak? End(long recordEventCount, string recordHeadHash, CustodyState? recordState = null)
    {
        if (Break is null && recordEventCount == Count && recordHeadHash == Head)
        {
            if (recordState is { } stored && State is { } led && stored != led)
            {
                Break = new ChainBreak(Count, ChainBreakReason.RecordStateMismatch,
                    $"the record's state is {stored}, but its timeline, whose last event is {Count}, leads to {led}");
            }

            return Break;
        }

        if (Break is not null)
        {
            return Break;
        }

        Break = recordEventCount > Count
            ? new ChainBreak(Count + 1, ChainBreakReason.RecordHeadMismatch,
                $"the record counts {recordEventCount} events but the timeline ends at event {Count}: event {Count + 1} onwards is missing")
            : new ChainBreak(Count, ChainBreakReason.RecordHeadMismatch,
                $"the record counts {recordEventCount} events with head {Show(recordHeadHash)}, but the timeline's last event is {Count} with hash {Show(Head)}");
        return Break;
    }

    /// <summary>
    /// After the last event, <see cref="End(long, string, CustodyState?)"/> on the record's count, head and state, then
    /// whether the record's fields the timeline implies are what its events make them (<see cref="ChainBreakReason.RecordFieldMismatch"/>,
    /// naming the field): the non-refoulement risk and its instant, the wish about return and its instant (each only once
    /// the timeline holds one: an assessment or a wish entered before they were timeline events is not judged), the place
    /// of internment and the custodian. The wish's detail does not say what the person wished: a custodian may verify
    /// the chain without seeing the wish.
    /// </summary>
    public ChainBreak? End(CustodyRecord record)
    {
        if (End(record.EventCount, record.HeadHash, record.State) is { } broken)
        {
            return broken;
        }

        if (Risk is { } risk && record.ReturnRisk != risk.Level)
        {
            return Mismatch(risk.Sequence, "return_risk",
                $"the record's return_risk is {(record.ReturnRisk is { } r ? ReturnEventNote.Name(r) : "unset")}, but its timeline's latest risk assessment, event {risk.Sequence} assessed {risk.At:u}, is {ReturnEventNote.Name(risk.Level)}");
        }

        if (Risk is { } assessed && record.ReturnRiskAssessedAt != assessed.At)
        {
            return Mismatch(assessed.Sequence, "return_risk_assessed_at",
                $"the record's return_risk_assessed_at is {record.ReturnRiskAssessedAt:u}, but its timeline's latest risk assessment, event {assessed.Sequence}, was assessed {assessed.At:u}");
        }

        if (Wish is { } wish && record.ReturnWish != wish.Wish)
        {
            return Mismatch(wish.Sequence, "return_wish",
                $"the record's return_wish is not the wish its timeline's latest wish about return, event {wish.Sequence} taken {wish.At:u}, records");
        }

        if (Wish is { } taken && record.ReturnWishRecordedAt != taken.At)
        {
            return Mismatch(taken.Sequence, "return_wish_recorded_at",
                $"the record's return_wish_recorded_at is {record.ReturnWishRecordedAt:u}, but its timeline's latest wish about return, event {taken.Sequence}, was taken {taken.At:u}");
        }

        if (Place is { } place && record.Facility != place.Facility)
        {
            return Mismatch(place.Sequence, "facility",
                $"the record's facility is {record.Facility?.Describe() ?? "unset"}, but its timeline, by event {place.Sequence}, places the person at {place.Facility?.Describe() ?? "no facility"}");
        }

        if (Place is { } custodian && record.CustodianAgency != custodian.Custodian)
        {
            return Mismatch(custodian.Sequence, "custodian_agency",
                $"the record's custodian_agency is {record.CustodianAgency}, but its timeline, by event {custodian.Sequence}, makes it {custodian.Custodian}");
        }

        return null;
    }

    private ChainBreak Mismatch(long sequence, string field, string detail) =>
        Break = new ChainBreak(sequence, ChainBreakReason.RecordFieldMismatch, detail, field);

    private static string Show(string hash) => hash.Length == 0 ? "empty" : hash;
}
