namespace Registry.Custody.Domain;

public enum CustodyEventKind
{
    /// <summary>Taken into custody at capture by the capturing agency.</summary>
    Captured = 1,
    /// <summary>Arrival at a place of internment.</summary>
    Admitted = 2,
    /// <summary>Another case of the same person was merged into this record (its state carried over; its chain's head named).</summary>
    MergedFrom = 3,
    /// <summary>This case was merged into another (the same person); the last event of its record.</summary>
    MergedInto = 4,
    /// <summary>Left a place of internment for another (GC III Art. 46-48); the event's facility and agency are the destination.</summary>
    TransferStarted = 5,
    /// <summary>The receiving custodian confirmed the arrival of a transfer.</summary>
    TransferArrived = 6,
    /// <summary>Admitted to hospital (medical's PatientHospitalised); the event's facility is the hospital.</summary>
    Hospitalised = 7,
    /// <summary>Left hospital alive (medical's PatientDischarged).</summary>
    Discharged = 8,
    /// <summary>Escaped (GC III Art. 91-94).</summary>
    Escaped = 9,
    /// <summary>Recaptured after an escape; the event's facility is where the person is held again.</summary>
    Recaptured = 10,
    /// <summary>Released (an end of captivity).</summary>
    Released = 11,
    /// <summary>Repatriated (Art. 109-118; an end of captivity).</summary>
    Repatriated = 12,
    /// <summary>Handed over in an executed prisoner exchange (an end of captivity).</summary>
    Exchanged = 13,
    /// <summary>Transferred to another state party to the Convention (Art. 12; an end of captivity); the facility's country is that state.</summary>
    TransferredToThirdState = 14,
    /// <summary>Died (Art. 120; medical's DeathRecorded; an end of captivity).</summary>
    Died = 15,
    /// <summary>
    /// A non-refoulement risk assessment was entered (GC III Art. 118; ICRC Commentary 2020). Moves no state: the event's
    /// occurred_at is when the assessment was made and its note starts with the level (<see cref="ReturnEventNote"/>), so
    /// that the risk on the record, which decides the hold, follows from the timeline; never the grounds (those stay in
    /// the assessment's own row). An older assessment entered late is an event too, and changes nothing on the record.
    /// </summary>
    ReturnRiskAssessed = 16,
    /// <summary>
    /// The person's wish about return was recorded (taken in a private interview, Art. 126). Moves no state: occurred_at
    /// is when it was taken and the note starts with the wish (<see cref="ReturnEventNote"/>); never the person's words,
    /// who took it or the circumstances (those stay in the wish's row, see <see cref="ReturnWishRecord"/>). The note is
    /// withheld from the roles that do not see the wish on the record.
    /// </summary>
    ReturnWishRecorded = 17,
}

/// <summary>
/// One entry of a case's custody timeline. Append-only: never updated or deleted. <see cref="Hash"/>
/// chains it to the entry before (<see cref="CustodyChain"/>), so an altered or missing entry shows.
/// </summary>
public sealed class CustodyEvent
{
    public const int NoteMaxLength = 1000;

    internal CustodyEvent()
    {
    }

    public long Id { get; private set; }
    public Guid CaseId { get; internal init; }
    public long Sequence { get; internal init; }
    public CustodyEventKind Kind { get; internal init; }
    public DateTimeOffset OccurredAt { get; internal init; }
    public DateTimeOffset RecordedAt { get; internal init; }
    public string? FacilityName { get; internal init; }
    public string? FacilityLocality { get; internal init; }
    public string? FacilityCountry { get; internal init; }
    public string CustodianAgency { get; internal init; } = "";
    public string? Note { get; internal init; }
    public string PreviousHash { get; internal init; } = "";
    public string Hash { get; internal set; } = "";
    /// <summary>The caller's idempotency key, for events a caller asked for (not those custody derives from events).</summary>
    public Guid? RequestId { get; private set; }
    /// <summary>SHA-256 of the request that asked for it: the same key with another request is refused.</summary>
    public byte[]? RequestHash { get; private set; }

    /// <summary>Marks the event as the answer to a caller's request (its idempotency key), so a retry replays it.</summary>
    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }

    public Facility? Facility => FacilityName is null ? null : new Facility(FacilityName, FacilityLocality, FacilityCountry);
}
