using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Validation;

namespace Registry.Custody.Domain;

/// <summary>
/// Where a captured person is and who answers for them. Opened when intake registers the case; every
/// change of it is an event appended to the case's hash-chained timeline (<see cref="CustodyEvent"/>).
/// The lifecycle is an explicit state machine (<see cref="Allowed"/>; the moves in CustodyRecord.Lifecycle.cs):
/// a move the current state does not allow is refused FAILED_PRECONDITION with a reason code.
/// </summary>
public sealed partial class CustodyRecord
{
    public const string ResourceType = "registry.custody.v1.CustodyRecord";

    /// <summary>Field limits, read by the validators and the EF configuration alike (custody.proto states them too).</summary>
    public const int CaseNumberMaxLength = 32;
    public const int PlaceMaxLength = 200;
    public const int AgencyMaxLength = 200;
    public const int HashLength = 64;
    public const int DateOfBirthMaxLength = 10;

    private CustodyRecord()
    {
    }

    public Guid CaseId { get; private set; }

    /// <summary>The record as a resource name, as rule violations name it.</summary>
    public string Subject => $"cases/{CaseId}";

    public string CaseNumber { get; private set; } = "";
    public CustodyState State { get; private set; }
    public DateTimeOffset CapturedAt { get; private set; }
    /// <summary>The person's date of birth as intake registered it (YYYY, YYYY-MM or YYYY-MM-DD); null when unknown.</summary>
    public string? DateOfBirth { get; private set; }

    /// <summary>The person's birth and capture: the bounds of every date of this record (<see cref="PersonDates"/>).</summary>
    public PersonDates Dates => new(DayRange.Parse(DateOfBirth), CapturedAt);
    public string CapturePlace { get; private set; } = "";
    public string CapturingAgency { get; private set; } = "";
    public DateTimeOffset OpenedAt { get; private set; }
    /// <summary>Where the person is held; null while awaiting admission.</summary>
    public Facility? Facility { get; private set; }
    /// <summary>Who answers for the person: the capturing agency until admission.</summary>
    public string CustodianAgency { get; private set; } = "";
    public DateTimeOffset? AdmittedAt { get; private set; }
    /// <summary>How many events the timeline holds; the next one takes this plus one.</summary>
    public long EventCount { get; private set; }
    /// <summary>Hash of the last event ("" before the first).</summary>
    public string HeadHash { get; private set; } = "";
    /// <summary>When the record entered its current <see cref="State"/> (the capture, for a record awaiting admission).</summary>
    public DateTimeOffset StateSince { get; private set; }
    /// <summary>The hospital the person is in while <see cref="CustodyState.Hospitalised"/>; <see cref="Facility"/> stays the place of internment they return to.</summary>
    public string? Hospital { get; private set; }
    /// <summary>Where a transfer under way is going (<see cref="CustodyState.InTransfer"/>); <see cref="Facility"/> stays the place it left until the arrival is confirmed.</summary>
    public Facility? TransferTo { get; private set; }
    /// <summary>The agency that receives the person at the end of a transfer under way.</summary>
    public string? TransferToAgency { get; private set; }
    /// <summary>The latest non-refoulement risk assessment's level (GC III Art. 118; ICRC Commentary 2020); null while none is recorded.</summary>
    public ReturnRisk? ReturnRisk { get; private set; }
    public DateTimeOffset? ReturnRiskAssessedAt { get; private set; }
    /// <summary>The person's latest recorded wish about return, taken in a private interview; null while none is recorded.</summary>
    public ReturnWish? ReturnWish { get; private set; }
    public DateTimeOffset? ReturnWishRecordedAt { get; private set; }
    /// <summary>Set when intake merged this case into another (the same person): that case's record is the person's from then on.</summary>
    public Guid? MergedIntoCaseId { get; private set; }
    /// <summary>Bumped on every change: two writers racing on one record cannot both append.</summary>
    public long Version { get; private set; }

    /// <summary>Opens the record of a registered capture, its timeline starting with the capture itself.</summary>
    public static (CustodyRecord Record, CustodyEvent Captured) Open(
        Guid caseId, string caseNumber, DateTimeOffset capturedAt, string capturePlace, string capturingAgency, DateTimeOffset now,
        string? dateOfBirth = null)
    {
        var record = new CustodyRecord
        {
            CaseId = caseId,
            CaseNumber = caseNumber,
            State = CustodyState.AwaitingAdmission,
            CapturedAt = capturedAt,
            DateOfBirth = DayRange.Parse(dateOfBirth) is null ? null : dateOfBirth,
            CapturePlace = capturePlace,
            CapturingAgency = capturingAgency,
            CustodianAgency = capturingAgency,
            OpenedAt = now,
            StateSince = capturedAt,
        };
        var captured = record.Append(CustodyEventKind.Captured, capturedAt, now, facility: null, capturingAgency, $"captured at {capturePlace}");
        return (record, captured);
    }

    /// <summary>The person's first arrival at a place of internment (GC III Art. 70 counts the capture card's week from it).</summary>
    public CustodyEvent Admit(Facility facility, string custodianAgency, DateTimeOffset admittedAt, string? note, DateTimeOffset now)
    {
        Require(CustodyEventKind.Admitted);
        if (Dates.CaptivityProblem(admittedAt) is not null)
        {
            throw new RuleViolationException("ADMISSION_BEFORE_CAPTURE", ResourceType, Subject,
                $"Case {CaseNumber} was captured at {CapturedAt:u}; an admission cannot precede the capture.");
        }

        // The event first: a field the chain cannot hash (CustodyChain) then leaves the record as it was.
        var admitted = Append(CustodyEventKind.Admitted, admittedAt, now, facility, custodianAgency, note);
        State = CustodyState.Held;
        StateSince = admittedAt;
        Facility = facility;
        CustodianAgency = custodianAgency;
        AdmittedAt = admittedAt;
        return admitted;
    }

    /// <summary>
    /// Intake merged <paramref name="merged"/>'s case into this one (CasesMerged): this record becomes the person's whole
    /// custody record. Neither timeline is rewritten: each hash chain takes one more event. This record's event
    /// (<see cref="CustodyEventKind.MergedFrom"/>) names the merged record and the head hash of its chain, anchoring that
    /// chain in this one; the merged record's event (<see cref="CustodyEventKind.MergedInto"/>) names this case and closes
    /// it (state <see cref="CustodyState.Merged"/>, which takes no more events: CASE_MERGED).
    /// What the person's state is afterwards: the weightier of the two states (<see cref="MergeRank"/>): a death over
    /// everything (a dead person is held nowhere); an end of captivity over a live state (the captivity ended under one of
    /// the person's cases); a live state after admission (held, in transfer, hospitalised, escaped) over awaiting
    /// admission. Between two states of the same weight the one entered later stands (the latest known fact; of two
    /// records held, the later admission's place), the survivor's on a tie. The winning state comes with its own facts:
    /// place and custodian, the hospital, the transfer's destination and receiving agency. <see cref="AdmittedAt"/>
    /// is the earlier admission (the first arrival at a place of internment, from which GC III Art. 70 counts); the
    /// non-refoulement risk and the person's wish about return are each the later recorded of the two; one taken from the
    /// merged record enters this timeline after the merge event, as a <see cref="CustodyEventKind.ReturnRiskAssessed"/> or
    /// <see cref="CustodyEventKind.ReturnWishRecorded"/> event of its own instant naming the merged case
    /// (<see cref="MergeEvents.Carried"/>), so that this timeline goes on implying the record's hold-deciding fields.
    /// </summary>
    public MergeEvents Absorb(CustodyRecord merged, DateTimeOffset mergedAt, DateTimeOffset now)
    {
        EnsureNotMerged();
        merged.EnsureNotMerged();
        AdoptEarlierCapture(merged.CapturedAt, merged.DateOfBirth);
        var takesMerged = MergeRank(merged.State) > MergeRank(State)
            || (MergeRank(merged.State) == MergeRank(State) && merged.StateSince > StateSince && merged.State != CustodyState.AwaitingAdmission);
        if (takesMerged)
        {
            State = merged.State;
            StateSince = merged.StateSince;
            Facility = merged.Facility is { } place ? place with { } : null; // a copy: an owned value has one owner
            CustodianAgency = merged.CustodianAgency;
            Hospital = merged.Hospital;
            TransferTo = merged.TransferTo is { } to ? to with { } : null;
            TransferToAgency = merged.TransferToAgency;
        }

        AdmittedAt = (AdmittedAt, merged.AdmittedAt) switch
        {
            ({ } own, { } theirs) => own < theirs ? own : theirs,
            (var own, var theirs) => own ?? theirs,
        };
        var takesRisk = merged.ReturnRiskAssessedAt is { } assessed && (ReturnRiskAssessedAt is null || assessed > ReturnRiskAssessedAt);
        if (takesRisk)
        {
            (ReturnRisk, ReturnRiskAssessedAt) = (merged.ReturnRisk, merged.ReturnRiskAssessedAt);
        }

        var takesWish = merged.ReturnWishRecordedAt is { } wished && (ReturnWishRecordedAt is null || wished > ReturnWishRecordedAt);
        if (takesWish)
        {
            (ReturnWish, ReturnWishRecordedAt) = (merged.ReturnWish, merged.ReturnWishRecordedAt);
        }

        var was = merged.State switch
        {
            CustodyState.AwaitingAdmission => "awaiting admission",
            CustodyState.Held => $"held at {merged.Facility?.Describe()} by {merged.CustodianAgency} since {merged.AdmittedAt:yyyy-MM-dd}",
            _ => $"{merged.State} since {merged.StateSince:yyyy-MM-dd}" + (merged.CurrentPlace is { } at ? $" at {at.Describe()}" : ""),
        };
        var survivorEvent = Append(CustodyEventKind.MergedFrom, mergedAt, now, Facility, CustodianAgency,
            $"case {merged.CaseNumber} ({merged.CaseId}) merged into this record as the same person: it was {was}; its timeline stays under its case unrewritten (event {merged.EventCount}, head {merged.HeadHash}, then the merge)");
        var mergedEvent = merged.Append(CustodyEventKind.MergedInto, mergedAt, now, merged.Facility, merged.CustodianAgency,
            $"merged into case {CaseNumber} ({CaseId}) as the same person; that record is the person's from now on");
        merged.State = CustodyState.Merged;
        merged.MergedIntoCaseId = CaseId;
        var carried = new List<CustodyEvent>();
        var from = $"carried over from case {merged.CaseNumber} ({merged.CaseId}), merged into this record";
        if (takesRisk && ReturnRisk is { } risk)
        {
            carried.Add(Append(CustodyEventKind.ReturnRiskAssessed, ReturnRiskAssessedAt!.Value, now, facility: null, CustodianAgency, ReturnEventNote.Risk(risk, from)));
        }

        if (takesWish && ReturnWish is { } wish)
        {
            carried.Add(Append(CustodyEventKind.ReturnWishRecorded, ReturnWishRecordedAt!.Value, now, facility: null, CustodianAgency, ReturnEventNote.Wish(wish, from)));
        }

        return new MergeEvents(survivorEvent, mergedEvent, carried);
    }

    /// <summary>
    /// How much a state weighs when two records of one person merge (<see cref="Absorb"/>): deceased 4, another end of
    /// captivity 3, a live state after admission 2 (held, in transfer, hospitalised, escaped), awaiting admission 1.
    /// </summary>
    public static int MergeRank(CustodyState state) => state switch
    {
        CustodyState.Deceased => 4,
        _ when IsEnd(state) => 3,
        CustodyState.AwaitingAdmission => 1,
        _ => 2,
    };

    /// <summary>
    /// One person's captivity began at the earlier of the two captures, and a birth date one record knew stands
    /// for both: the bounds every later date of the person keeps (<see cref="Dates"/>) follow the merge.
    /// </summary>
    private void AdoptEarlierCapture(DateTimeOffset capturedAt, string? dateOfBirth)
    {
        CapturedAt = capturedAt < CapturedAt ? capturedAt : CapturedAt;
        DateOfBirth ??= dateOfBirth;
    }

    private void EnsureNotMerged()
    {
        if (State == CustodyState.Merged)
        {
            throw new RuleViolationException("CASE_MERGED", ResourceType, Subject,
                $"Case {CaseNumber} was merged into case {MergedIntoCaseId} as the same person; record this on that case instead.");
        }
    }

    /// <summary>
    /// The state machine: which events each state takes (an end of captivity and a merged record take none), and <see cref="Target"/> the
    /// state each leads to.
    /// </summary>
    public static readonly IReadOnlyDictionary<CustodyState, CustodyEventKind[]> Allowed = new Dictionary<CustodyState, CustodyEventKind[]>
    {
        [CustodyState.AwaitingAdmission] =
        [
            CustodyEventKind.Admitted, CustodyEventKind.Hospitalised, CustodyEventKind.Escaped, CustodyEventKind.Released, CustodyEventKind.Died,
        ],
        [CustodyState.Held] =
        [
            CustodyEventKind.TransferStarted, CustodyEventKind.Hospitalised, CustodyEventKind.Escaped, CustodyEventKind.Released,
            CustodyEventKind.Repatriated, CustodyEventKind.Exchanged, CustodyEventKind.TransferredToThirdState, CustodyEventKind.Died,
        ],
        [CustodyState.InTransfer] = [CustodyEventKind.TransferArrived, CustodyEventKind.Escaped, CustodyEventKind.Died],
        [CustodyState.Hospitalised] =
        [
            CustodyEventKind.Discharged, CustodyEventKind.Escaped, CustodyEventKind.Released, CustodyEventKind.Repatriated,
            CustodyEventKind.Exchanged, CustodyEventKind.TransferredToThirdState, CustodyEventKind.Died,
        ],
        [CustodyState.Escaped] = [CustodyEventKind.Recaptured, CustodyEventKind.Died],
        [CustodyState.Merged] = [],
        [CustodyState.Released] = [],
        [CustodyState.Repatriated] = [],
        [CustodyState.Exchanged] = [],
        [CustodyState.TransferredToThirdState] = [],
        [CustodyState.Deceased] = [],
    };

    /// <summary>
    /// The state an event leads to. A discharge returns the person to <see cref="CustodyState.Held"/>, or to
    /// <see cref="CustodyState.AwaitingAdmission"/> when they were never admitted to a place of internment.
    /// </summary>
    public CustodyState Target(CustodyEventKind kind) => kind switch
    {
        CustodyEventKind.Admitted or CustodyEventKind.TransferArrived or CustodyEventKind.Recaptured => CustodyState.Held,
        CustodyEventKind.TransferStarted => CustodyState.InTransfer,
        CustodyEventKind.Hospitalised => CustodyState.Hospitalised,
        CustodyEventKind.Discharged => AdmittedAt is null ? CustodyState.AwaitingAdmission : CustodyState.Held,
        CustodyEventKind.Escaped => CustodyState.Escaped,
        CustodyEventKind.Released => CustodyState.Released,
        CustodyEventKind.Repatriated => CustodyState.Repatriated,
        CustodyEventKind.Exchanged => CustodyState.Exchanged,
        CustodyEventKind.TransferredToThirdState => CustodyState.TransferredToThirdState,
        CustodyEventKind.Died => CustodyState.Deceased,
        _ => State,
    };

    /// <summary>Whether the state ends captivity: no event follows it.</summary>
    public static bool IsEnd(CustodyState state) => state is CustodyState.Released or CustodyState.Repatriated or CustodyState.Exchanged
        or CustodyState.TransferredToThirdState or CustodyState.Deceased;

    private void Require(CustodyEventKind kind)
    {
        EnsureNotMerged();
        if (!Allowed.TryGetValue(State, out var kinds) || !kinds.Contains(kind))
        {
            var reason = State == CustodyState.Held && kind == CustodyEventKind.Admitted ? "CUSTODY_ALREADY_HELD"
                : IsEnd(State) ? "CAPTIVITY_ENDED"
                : "CUSTODY_ILLEGAL_TRANSITION";
            var allowed = Allowed.TryGetValue(State, out var next) && next.Length > 0 ? string.Join(", ", next) : "none";
            throw new RuleViolationException(reason, ResourceType, Subject, State switch
            {
                CustodyState.Held when kind == CustodyEventKind.Admitted =>
                    $"Case {CaseNumber} is already held at {Facility?.Describe()}; a move to another place is a transfer, not an admission.",
                _ when IsEnd(State) => $"Case {CaseNumber}'s captivity ended ({State} since {StateSince:u}); it cannot take {kind}.",
                _ => $"Case {CaseNumber} is {State}; it cannot take {kind} (it can take: {allowed}).",
            });
        }
    }

    private CustodyEvent Append(
        CustodyEventKind kind, DateTimeOffset occurredAt, DateTimeOffset now, Facility? facility, string custodianAgency, string? note)
    {
        var e = new CustodyEvent
        {
            CaseId = CaseId,
            Sequence = EventCount + 1,
            Kind = kind,
            OccurredAt = occurredAt,
            RecordedAt = now,
            FacilityName = facility?.Name,
            FacilityLocality = facility?.Locality,
            FacilityCountry = facility?.Country,
            CustodianAgency = custodianAgency,
            Note = note,
            PreviousHash = HeadHash,
        };
        e.Hash = CustodyChain.Hash(e);
        EventCount = e.Sequence;
        HeadHash = e.Hash;
        Version++;
        return e;
    }
}

/// <summary>
/// What a merge appended (<see cref="CustodyRecord.Absorb"/>): the survivor's <see cref="CustodyEventKind.MergedFrom"/>,
/// the merged record's <see cref="CustodyEventKind.MergedInto"/>, and the survivor's events of the return facts it took
/// from the merged record (after its merge event). Deconstructs to the first two.
/// </summary>
public sealed record MergeEvents(CustodyEvent Survivor, CustodyEvent Merged, IReadOnlyList<CustodyEvent> Carried)
{
    public void Deconstruct(out CustodyEvent survivor, out CustodyEvent merged) => (survivor, merged) = (Survivor, Merged);

    /// <summary>Every event to store, in the order appended.</summary>
    public IEnumerable<CustodyEvent> All => [Survivor, Merged, .. Carried];
}

public enum CustodyState
{
    /// <summary>Registered at capture, not yet admitted to a place of internment.</summary>
    AwaitingAdmission = 1,
    /// <summary>Held at a place of internment.</summary>
    Held = 2,
    /// <summary>The case was merged into another (the same person): that case's record is the person's; this one takes no more events.</summary>
    Merged = 3,
    /// <summary>On the way to another place of internment or agency (GC III Art. 46-48).</summary>
    InTransfer = 4,
    /// <summary>In hospital (following medical).</summary>
    Hospitalised = 5,
    /// <summary>Escaped (Art. 91-94).</summary>
    Escaped = 6,
    /// <summary>Released: an end of captivity.</summary>
    Released = 7,
    /// <summary>Repatriated (Art. 109-118): an end of captivity.</summary>
    Repatriated = 8,
    /// <summary>Handed over in a prisoner exchange: an end of captivity.</summary>
    Exchanged = 9,
    /// <summary>Transferred to another state party to the Convention (Art. 12): an end of captivity.</summary>
    TransferredToThirdState = 10,
    /// <summary>Died (Art. 120): an end of captivity.</summary>
    Deceased = 11,
}

/// <summary>The level of a non-refoulement risk assessment: the risk the person runs on return (GC III Art. 118; ICRC Commentary 2020).</summary>
public enum ReturnRisk
{
    None = 1,
    Low = 2,
    High = 3,
    Undetermined = 4,
}

/// <summary>The person's own wish about return, as recorded in a private interview.</summary>
public enum ReturnWish
{
    WishesToReturn = 1,
    DoesNotWishToReturn = 2,
}

/// <summary>A place of internment.</summary>
public sealed record Facility(string Name, string? Locality, string? Country)
{
    public const int NameMaxLength = 200;
    public const int LocalityMaxLength = 200;
    /// <summary>ISO 3166-1 alpha-2.</summary>
    public const int CountryLength = 2;

    public string Describe() => string.Join(", ", new[] { Name, Locality, Country }.Where(p => !string.IsNullOrEmpty(p)));
}
