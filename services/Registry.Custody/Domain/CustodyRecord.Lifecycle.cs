using Registry.ServiceDefaults.Validation;
using Registry.ServiceDefaults.Domain;

namespace Registry.Custody.Domain;

/// <summary>
/// The moves of the custody lifecycle after admission, each one event appended to the hash-chained timeline.
/// Every move checks, in this order: the record is not merged (CASE_MERGED), the current state takes the event
/// (<see cref="Allowed"/>: CUSTODY_ILLEGAL_TRANSITION, or CAPTIVITY_ENDED after an end), the instant lies in the
/// person's captivity and not before the current state began (EVENT_BEFORE_CURRENT_STATE), and, for a return or a
/// handing-over to another power, that no non-refoulement hold stands (NON_REFOULEMENT_HOLD). A refused move
/// leaves the record as it was.
/// </summary>
public sealed partial class CustodyRecord
{
    /// <summary>The person leaves their place of internment for <paramref name="to"/>, to be received by <paramref name="toAgency"/> (GC III Art. 46-48).</summary>
    public CustodyEvent BeginTransfer(Facility to, string toAgency, DateTimeOffset departedAt, string? note, DateTimeOffset now)
    {
        var e = Move(CustodyEventKind.TransferStarted, departedAt, now, to, toAgency, note);
        TransferTo = to;
        TransferToAgency = toAgency;
        return e;
    }

    /// <summary>The receiving custodian confirms the arrival: the destination becomes the place of internment and its agency the custodian.</summary>
    public CustodyEvent ConfirmArrival(DateTimeOffset arrivedAt, string? note, DateTimeOffset now)
    {
        var to = TransferTo is { } place ? place with { } : null;
        var agency = TransferToAgency ?? CustodianAgency;
        var e = Move(CustodyEventKind.TransferArrived, arrivedAt, now, to, agency, note);
        Facility = to;
        CustodianAgency = agency;
        TransferTo = null;
        TransferToAgency = null;
        return e;
    }

    /// <summary>Admitted to <paramref name="hospital"/> (medical's PatientHospitalised); the place of internment is kept for the return.</summary>
    public CustodyEvent Hospitalise(string hospital, DateTimeOffset at, string? note, DateTimeOffset now)
    {
        var e = Move(CustodyEventKind.Hospitalised, at, now, new Facility(hospital, null, null), CustodianAgency, note);
        Hospital = hospital;
        return e;
    }

    /// <summary>Left hospital alive (medical's PatientDischarged): back to the place of internment, or awaiting admission if never admitted.</summary>
    public CustodyEvent Discharge(DateTimeOffset at, string? note, DateTimeOffset now)
    {
        var e = Move(CustodyEventKind.Discharged, at, now, Facility, CustodianAgency, note);
        Hospital = null;
        return e;
    }

    /// <summary>Escaped (GC III Art. 91-94) from where the person was; a transfer under way is abandoned.</summary>
    public CustodyEvent Escape(DateTimeOffset at, string? note, DateTimeOffset now)
    {
        var e = Move(CustodyEventKind.Escaped, at, now, Hospital is { } h ? new Facility(h, null, null) : Facility, CustodianAgency, note);
        Hospital = null;
        TransferTo = null;
        TransferToAgency = null;
        return e;
    }

    /// <summary>Recaptured: held again at <paramref name="heldAt"/> by <paramref name="custodianAgency"/>.</summary>
    public CustodyEvent Recapture(Facility heldAt, string custodianAgency, DateTimeOffset at, string? note, DateTimeOffset now)
    {
        var e = Move(CustodyEventKind.Recaptured, at, now, heldAt, custodianAgency, note);
        Facility = heldAt;
        CustodianAgency = custodianAgency;
        AdmittedAt ??= at;
        return e;
    }

    /// <summary>Released: an end of captivity.</summary>
    public CustodyEvent Release(DateTimeOffset at, string? note, DateTimeOffset now) =>
        Move(CustodyEventKind.Released, at, now, CurrentPlace, CustodianAgency, note);

    /// <summary>Repatriated (GC III Art. 109-118): refused while a non-refoulement hold stands (Art. 118; <see cref="NonRefoulementHold"/>).</summary>
    public CustodyEvent Repatriate(DateTimeOffset at, string? note, DateTimeOffset now) =>
        Move(CustodyEventKind.Repatriated, at, now, CurrentPlace, CustodianAgency, note, checkHold: true);

    /// <summary>Handed over to the counterpart of an executed exchange list: refused while a non-refoulement hold stands.</summary>
    public CustodyEvent Exchange(DateTimeOffset at, string? note, DateTimeOffset now) =>
        Move(CustodyEventKind.Exchanged, at, now, CurrentPlace, CustodianAgency, note, checkHold: true);

    /// <summary>
    /// Transferred to another state party to the Convention (GC III Art. 12): <paramref name="receiving"/> names the
    /// receiving place and its country (the receiving state); refused while a non-refoulement hold stands. From then on
    /// the receiving state answers for the person (Art. 12(2)): the record's place becomes the receiving place and its
    /// custodian the receiving authority, as the event carries them (no hospital or transfer under way remains).
    /// </summary>
    public CustodyEvent TransferToThirdState(Facility receiving, string receivingAgency, DateTimeOffset at, string? note, DateTimeOffset now)
    {
        var e = Move(CustodyEventKind.TransferredToThirdState, at, now, receiving, receivingAgency, note, checkHold: true);
        Facility = receiving with { }; // a copy: an owned value has one owner
        CustodianAgency = receivingAgency;
        Hospital = null;
        TransferTo = null;
        TransferToAgency = null;
        return e;
    }

    /// <summary>
    /// Died (GC III Art. 120; medical's DeathRecorded) at <paramref name="place"/>: an end of captivity, taken from every
    /// live state. The death certificate's date stands even when it precedes the current state's start (a hospital
    /// admission or transfer entered after the death happened): a death must close the record, so that bound alone is
    /// not applied (EVENT_BEFORE_CURRENT_STATE); the event says so in its note. Refused after an end (CAPTIVITY_ENDED),
    /// on a merged record (CASE_MERGED) and before the capture (EVENT_BEFORE_CAPTURE).
    /// </summary>
    public CustodyEvent Die(DateTimeOffset diedAt, string place, string? note, DateTimeOffset now)
    {
        if (diedAt < StateSince && !IsEnd(State) && State != CustodyState.Merged)
        {
            var late = $"certified date precedes the {State} state entered {StateSince:u}";
            note = note is null ? late : $"{note}; {late}";
            if (note.Length > CustodyEvent.NoteMaxLength)
            {
                note = TextRules.Cut(note, CustodyEvent.NoteMaxLength);
            }
        }

        return Move(CustodyEventKind.Died, diedAt, now, new Facility(place, null, null), CustodianAgency, note, beforeCurrentState: true);
    }

    /// <summary>Where the person is now: the hospital, the place of internment, or null before any.</summary>
    public Facility? CurrentPlace => State == CustodyState.Hospitalised && Hospital is { } h ? new Facility(h, null, null) : Facility;

    /// <summary>
    /// Records a non-refoulement risk assessment made at <paramref name="assessedAt"/> (GC III Art. 118) as an event of
    /// the hash-chained timeline (<see cref="CustodyEventKind.ReturnRiskAssessed"/>: the level and when, never the
    /// grounds), so that the risk that decides the hold cannot be changed outside the timeline unseen
    /// (VerifyCustodyChain compares it). The latest assessment stands on the record: an older one entered late is an
    /// event too, and changes nothing here. <paramref name="source"/> names the assessment (e.g. "assessment {id}").
    /// </summary>
    /// <param name="standingInTimeline">
    /// False when the record's standing assessment predates the chained assessments (it was entered before they were
    /// events, so no <see cref="CustodyEventKind.ReturnRiskAssessed"/> event states it): that one then enters the
    /// timeline first, as it stands, so that the timeline goes on implying what the record shows.
    /// </param>
    /// <returns>The events appended, in order: the standing assessment's (if it had none), then this one's.</returns>
    public IReadOnlyList<CustodyEvent> AssessReturnRisk(
        ReturnRisk level, DateTimeOffset assessedAt, DateTimeOffset now, string? source = null, bool standingInTimeline = true)
    {
        EnsureNotMerged();
        EnsureCaptive("a non-refoulement question");
        var events = new List<CustodyEvent>();
        if (!standingInTimeline && ReturnRisk is { } standing && ReturnRiskAssessedAt is { } standingAt)
        {
            events.Add(Append(CustodyEventKind.ReturnRiskAssessed, standingAt, now, facility: null, CustodianAgency,
                ReturnEventNote.Risk(standing, "the standing assessment, entered before assessments were timeline events")));
        }

        events.Add(Append(CustodyEventKind.ReturnRiskAssessed, assessedAt, now, facility: null, CustodianAgency, ReturnEventNote.Risk(level, source)));
        if (ReturnRiskAssessedAt is null || assessedAt >= ReturnRiskAssessedAt)
        {
            (ReturnRisk, ReturnRiskAssessedAt) = (level, assessedAt);
        }

        return events;
    }

    /// <summary>
    /// Records the person's wish about return, taken at <paramref name="recordedAt"/>, as an event of the timeline
    /// (<see cref="CustodyEventKind.ReturnWishRecorded"/>: the wish and when, never the person's words nor who took it);
    /// the latest taken stands. <paramref name="standingInTimeline"/> as for <see cref="AssessReturnRisk"/>.
    /// </summary>
    /// <returns>The events appended, in order: the standing wish's (if it had none), then this one's.</returns>
    public IReadOnlyList<CustodyEvent> RecordReturnWish(
        ReturnWish wish, DateTimeOffset recordedAt, DateTimeOffset now, string? source = null, bool standingInTimeline = true)
    {
        EnsureNotMerged();
        EnsureCaptive("a non-refoulement question");
        var events = new List<CustodyEvent>();
        if (!standingInTimeline && ReturnWish is { } standing && ReturnWishRecordedAt is { } standingAt)
        {
            events.Add(Append(CustodyEventKind.ReturnWishRecorded, standingAt, now, facility: null, CustodianAgency,
                ReturnEventNote.Wish(standing, "the standing wish, recorded before wishes were timeline events")));
        }

        events.Add(Append(CustodyEventKind.ReturnWishRecorded, recordedAt, now, facility: null, CustodianAgency, ReturnEventNote.Wish(wish, source)));
        if (ReturnWishRecordedAt is null || recordedAt >= ReturnWishRecordedAt)
        {
            (ReturnWish, ReturnWishRecordedAt) = (wish, recordedAt);
        }

        return events;
    }

    /// <summary>
    /// Why the person may not be repatriated, exchanged or handed to a third state now (GC III Art. 118 as the ICRC
    /// Commentary of 2020 reads it: no transfer to a state where they run a real risk of serious violations), or null
    /// when nothing holds them. A hold stands while the risk on return is high or undetermined (no assessment counts as
    /// undetermined) or while no wish about return is recorded; the person's own recorded wish to return with the risk
    /// assessed low (or none) lifts it.
    /// </summary>
    public string? NonRefoulementHold() => ReturnRisk switch
    {
        null => "no non-refoulement risk assessment is recorded (the risk counts as undetermined)",
        Domain.ReturnRisk.High => $"the risk on return was assessed high on {ReturnRiskAssessedAt:yyyy-MM-dd}",
        Domain.ReturnRisk.Undetermined => $"the risk on return was assessed undetermined on {ReturnRiskAssessedAt:yyyy-MM-dd}",
        _ when ReturnWish is null => "the person's wish about return is not recorded",
        _ => null,
    };

    /// <summary>Refuses <paramref name="what"/> once captivity ended (CAPTIVITY_ENDED): a return no longer lies ahead.</summary>
    private void EnsureCaptive(string what)
    {
        if (IsEnd(State))
        {
            throw new RuleViolationException("CAPTIVITY_ENDED", ResourceType, Subject,
                $"Case {CaseNumber}'s captivity ended ({State} since {StateSince:u}); {what} is no longer recorded.");
        }
    }

    private CustodyEvent Move(
        CustodyEventKind kind, DateTimeOffset occurredAt, DateTimeOffset now, Facility? facility, string custodianAgency, string? note,
        bool checkHold = false, bool beforeCurrentState = false)
    {
        Require(kind);
        if (Dates.CaptivityProblem(occurredAt) is { } problem)
        {
            throw new RuleViolationException("EVENT_BEFORE_CAPTURE", ResourceType, Subject, $"Case {CaseNumber}: {kind} at {occurredAt:u}: {problem}.");
        }

        if (occurredAt < StateSince && !beforeCurrentState)
        {
            throw new RuleViolationException("EVENT_BEFORE_CURRENT_STATE", ResourceType, Subject,
                $"Case {CaseNumber} has been {State} since {StateSince:u}; {kind} at {occurredAt:u} would precede it.");
        }

        if (checkHold && NonRefoulementHold() is { } hold)
        {
            throw new RuleViolationException("NON_REFOULEMENT_HOLD", ResourceType, Subject,
                $"Case {CaseNumber} is held back from return or handing over (GC III Art. 118, non-refoulement): {hold}.");
        }

        // The event first: a field the chain cannot hash (CustodyChain) then leaves the record as it was.
        var e = Append(kind, occurredAt, now, facility, custodianAgency, note);
        State = Target(kind);
        StateSince = occurredAt;
        return e;
    }
}
