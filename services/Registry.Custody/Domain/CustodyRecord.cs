using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Validation;

namespace Registry.Custody.Domain;

/// <summary>
/// Where a captured person is and who answers for them. Opened when intake registers the case; every
/// change of it is an event appended to the case's hash-chained timeline (<see cref="CustodyEvent"/>).
/// The lifecycle is an explicit state machine: a move the current state does not allow is refused.
/// </summary>
public sealed class CustodyRecord
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
    /// What the person's state is afterwards: held if either record was held (a person awaiting admission under one
    /// case and held under the other is held); of two records held, the place of the later admission (the latest
    /// known place) and its custodian, and the earlier admission as <see cref="AdmittedAt"/> (the first arrival at a
    /// place of internment, from which GC III Art. 70 counts).
    /// </summary>
    public (CustodyEvent Survivor, CustodyEvent Merged) Absorb(CustodyRecord merged, DateTimeOffset mergedAt, DateTimeOffset now)
    {
        EnsureNotMerged();
        merged.EnsureNotMerged();
        AdoptEarlierCapture(merged.CapturedAt, merged.DateOfBirth);
        var before = merged.State;
        if (merged.State == CustodyState.Held)
        {
            if (State != CustodyState.Held || merged.AdmittedAt > AdmittedAt)
            {
                Facility = merged.Facility is { } place ? place with { } : null; // a copy: an owned value has one owner
                CustodianAgency = merged.CustodianAgency;
            }

            AdmittedAt = AdmittedAt is { } own && own < merged.AdmittedAt!.Value ? own : merged.AdmittedAt;
            State = CustodyState.Held;
        }

        var was = before == CustodyState.Held ? $"held at {merged.Facility?.Describe()} by {merged.CustodianAgency} since {merged.AdmittedAt:yyyy-MM-dd}" : "awaiting admission";
        var survivorEvent = Append(CustodyEventKind.MergedFrom, mergedAt, now, Facility, CustodianAgency,
            $"case {merged.CaseNumber} ({merged.CaseId}) merged into this record as the same person: it was {was}; its timeline stays under its case unrewritten (event {merged.EventCount}, head {merged.HeadHash}, then the merge)");
        var mergedEvent = merged.Append(CustodyEventKind.MergedInto, mergedAt, now, merged.Facility, merged.CustodianAgency,
            $"merged into case {CaseNumber} ({CaseId}) as the same person; that record is the person's from now on");
        merged.State = CustodyState.Merged;
        merged.MergedIntoCaseId = CaseId;
        return (survivorEvent, mergedEvent);
    }

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

    /// <summary>The state machine: which events each state takes (a state not listed takes none).</summary>
    public static readonly IReadOnlyDictionary<CustodyState, CustodyEventKind[]> Allowed = new Dictionary<CustodyState, CustodyEventKind[]>
    {
        [CustodyState.AwaitingAdmission] = [CustodyEventKind.Admitted],
        [CustodyState.Held] = [],
        [CustodyState.Merged] = [],
    };

    private void Require(CustodyEventKind kind)
    {
        EnsureNotMerged();
        if (!Allowed.TryGetValue(State, out var kinds) || !kinds.Contains(kind))
        {
            var reason = State == CustodyState.Held && kind == CustodyEventKind.Admitted ? "CUSTODY_ALREADY_HELD" : "CUSTODY_ILLEGAL_TRANSITION";
            throw new RuleViolationException(reason, ResourceType, Subject, State switch
            {
                CustodyState.Held when kind == CustodyEventKind.Admitted =>
                    $"Case {CaseNumber} is already held at {Facility?.Describe()}; a move to another place is a transfer, not an admission.",
                _ => $"Case {CaseNumber} is {State}; it cannot take {kind}.",
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

public enum CustodyState
{
    /// <summary>Registered at capture, not yet admitted to a place of internment.</summary>
    AwaitingAdmission = 1,
    /// <summary>Held at a place of internment.</summary>
    Held = 2,
    /// <summary>The case was merged into another (the same person): that case's record is the person's; this one takes no more events.</summary>
    Merged = 3,
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
