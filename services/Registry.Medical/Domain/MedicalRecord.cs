using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Validation;

namespace Registry.Medical.Domain;

/// <summary>
/// A captured person's medical record, opened when intake registers the case. Encounters are entered
/// through <see cref="RecordEncounter"/>, which keeps the summary (status, next inspection) in step.
/// </summary>
public sealed partial class MedicalRecord
{
    public const string ResourceType = "registry.medical.v1.MedicalRecord";

    /// <summary>GC III Art. 31: medical inspections at least once a month.</summary>
    public static readonly TimeSpan InspectionInterval = TimeSpan.FromDays(30);

    /// <summary>Field limits, read by the validators and the EF configuration alike (medical.proto states them too).</summary>
    public const int CaseNumberMaxLength = 32;
    public const int DateOfBirthMaxLength = 10;
    /// <summary>Intake's limit on each name (PersonIdentity.NameMaxLength).</summary>
    public const int NameMaxLength = 200;
    /// <summary>Intake's limit on an agency's name (as custody's CustodyRecord.AgencyMaxLength).</summary>
    public const int AgencyMaxLength = 200;

    private MedicalRecord()
    {
    }

    public Guid CaseId { get; private set; }

    /// <summary>The record as a resource name, as rule violations name it.</summary>
    public string Subject => $"cases/{CaseId}";

    public string CaseNumber { get; private set; } = "";

    /// <summary>
    /// The agency whose capture intake registered (CaseRegistered): whose own record this is, for the access table's
    /// own-agency rows (MedicalCaseOwnership). Empty on records opened before it was
    /// kept: no agency's own record then, so an own-agency role is refused them (fail closed).
    /// </summary>
    public string CapturingAgency { get; private set; } = "";
    public MedicalStatus Status { get; private set; }
    public DateTimeOffset OpenedAt { get; private set; }
    /// <summary>When the person was captured, as intake registered it; null on records opened before it was kept.</summary>
    public DateTimeOffset? CapturedAt { get; private set; }
    /// <summary>The person's date of birth as intake registered it (YYYY, YYYY-MM or YYYY-MM-DD); null when unknown.</summary>
    public string? DateOfBirth { get; private set; }

    /// <summary>
    /// The person's name as intake registered it (CaseRegistered), in the person's own script and in Latin letters;
    /// null on records opened before it was kept. What certificates of treatment (GC III Art. 30) print beside the case number.
    /// </summary>
    public PersonName? Name { get; private set; }

    /// <summary>The person's birth and capture: the bounds of every encounter's date (<see cref="PersonDates"/>).</summary>
    public PersonDates Dates => new(DayRange.Parse(DateOfBirth), CapturedAt);
    /// <summary>When the next examination or inspection is due (GC III Art. 31: at least monthly).</summary>
    public DateTimeOffset ExaminationDueBy { get; private set; }
    /// <summary>The latest intake examination or inspection; null before the first.</summary>
    public DateTimeOffset? LastExaminedAt { get; private set; }
    public bool HasIntakeExamination { get; private set; }
    public int ActiveConditions { get; private set; }
    /// <summary>Set when intake merged this case into another (the same person): that case's record is the person's from then on.</summary>
    public Guid? MergedIntoCaseId { get; private set; }
    /// <summary>Bumped on every change: two encounters entered at once cannot both count from the same state.</summary>
    public long Version { get; private set; }
    /// <summary>Set while in hospital: when the open stay's admission took place (status <see cref="MedicalStatus.Hospitalised"/>).</summary>
    public DateTimeOffset? HospitalisedSince { get; private set; }
    /// <summary>Set once a death is recorded (GC III Art. 120): the record is final (<see cref="EnsureOpen"/>).</summary>
    public DateTimeOffset? DiedAt { get; private set; }
    /// <summary>How many enquiries were opened on this case: the number of the next one's reference (<see cref="Enquiry.Reference"/>).</summary>
    public int EnquiriesOpened { get; private set; }

    public static MedicalRecord Open(Guid caseId, string caseNumber, DateTimeOffset now, DateTimeOffset? capturedAt = null, string? dateOfBirth = null,
        PersonName? name = null, string capturingAgency = "") => new()
    {
        Name = name,
        CapturingAgency = capturingAgency,
        CaseId = caseId,
        CaseNumber = caseNumber,
        CapturedAt = capturedAt,
        DateOfBirth = DayRange.Parse(dateOfBirth) is null ? null : dateOfBirth,
        Status = MedicalStatus.AwaitingExamination,
        OpenedAt = now,
        ExaminationDueBy = now + InspectionInterval,
    };

    /// <summary>
    /// Enters an encounter with what it found and what it found resolved. <paramref name="active"/> are the
    /// record's active conditions (those to resolve are looked up among them).
    /// </summary>
    public (Encounter Encounter, IReadOnlyList<Condition> Found, IReadOnlyList<Condition> Resolved) RecordEncounter(
        EncounterDetails details, IReadOnlyList<ConditionFinding> findings, IReadOnlyCollection<Guid> resolve,
        IReadOnlyList<Condition> active, DateTimeOffset now)
    {
        EnsureOpen();
        if (Dates.CaptivityProblem(details.OccurredAt) is { } problem)
        {
            throw new RuleViolationException("ENCOUNTER_BEFORE_CAPTURE", ResourceType, Subject,
                $"An encounter of case {CaseNumber} occurred at {details.OccurredAt:u}: it {problem}.");
        }

        if (details.Kind == EncounterKind.IntakeExamination && HasIntakeExamination)
        {
            throw new RuleViolationException("INTAKE_EXAMINATION_DONE", ResourceType, Subject,
                $"Case {CaseNumber} already had its intake examination; record a later one as an inspection.");
        }

        var encounter = new Encounter
        {
            EncounterId = Guid.CreateVersion7(now),
            CaseId = CaseId,
            Kind = details.Kind,
            OccurredAt = details.OccurredAt,
            RecordedAt = now,
            Place = details.Place,
            Clinician = details.Clinician,
            Notes = details.Notes,
        };

        var resolved = new List<Condition>();
        foreach (var conditionId in resolve)
        {
            var condition = active.SingleOrDefault(c => c.ConditionId == conditionId)
                ?? throw new RuleViolationException("CONDITION_NOT_ACTIVE", ResourceType, Subject,
                    $"Condition {conditionId} is not an active condition of case {CaseNumber}.");
            if (details.OccurredAt < condition.FoundAt)
            {
                throw new RuleViolationException("RESOLUTION_BEFORE_FINDING", ResourceType, Subject,
                    $"Condition {conditionId} was found at {condition.FoundAt:u}; an earlier encounter cannot resolve it.");
            }

            condition.Resolve(encounter);
            resolved.Add(condition);
        }

        var found = findings.Select(f => Condition.Found(this, encounter, f, now)).ToList();

        if (details.Kind is EncounterKind.IntakeExamination or EncounterKind.Inspection)
        {
            HasIntakeExamination |= details.Kind == EncounterKind.IntakeExamination;
            if (LastExaminedAt is null || details.OccurredAt > LastExaminedAt)
            {
                LastExaminedAt = details.OccurredAt;
                ExaminationDueBy = details.OccurredAt + InspectionInterval;
            }
        }

        ActiveConditions += found.Count - resolved.Count;
        Status = DeriveStatus();
        Version++;
        return (encounter, found, resolved);
    }
    /// <summary>
    /// Enters a medic's assessment of fitness for interview, transfer or repatriation (GC III Art. 17, 47, 109-117).
    /// It supersedes earlier assessments for the same purpose from its <see cref="FitnessStatement.AssessedAt"/> on
    /// (nothing of them changes: <c>GetFitness</c> answers the latest assessed by the time asked about). The record's
    /// version moves, so an assessment cannot land on a record a merge is moving meanwhile.
    /// </summary>
    public FitnessAssessment AssessFitness(FitnessStatement statement, DateTimeOffset now)
    {
        EnsureOpen();
        if (Dates.CaptivityProblem(statement.AssessedAt) is { } problem)
        {
            throw new RuleViolationException("ASSESSMENT_BEFORE_CAPTURE", ResourceType, Subject,
                $"A fitness assessment of case {CaseNumber} at {statement.AssessedAt:u}: it {problem}.");
        }

        Version++;
        return FitnessAssessment.Of(this, statement, now);
    }

    /// <summary>
    /// Intake merged <paramref name="merged"/>'s case into this one (CasesMerged): the person's encounters and conditions
    /// recorded under it move to this record, which then holds the person's whole medical history, and the summary is
    /// counted again from both: active conditions added up, the latest examination of either, and the inspection clock
    /// (GC III Art. 31) 30 days after that examination, or, with no examination on either, the earlier of the two due
    /// dates, so an inspection overdue under either case stays overdue. A death recorded under either case is the
    /// person's (the survivor is DECEASED), and so is an open hospital stay; the caller then settles the open stays of both
    /// (<see cref="SettleOpenStays"/>: none open after a death, else only the latest admission). The merged record keeps nothing active, says
    /// <see cref="MedicalStatus.Merged"/> and takes no more encounters (CASE_MERGED).
    /// </summary>
    public void Absorb(MedicalRecord merged, IReadOnlyList<Encounter> encounters, IReadOnlyList<Condition> conditions)
    {
        EnsureNotMerged();
        merged.EnsureNotMerged();
        // One person's captivity began at the earlier capture; a birth date one record knew stands for both.
        CapturedAt = (CapturedAt, merged.CapturedAt) switch
        {
            ({ } own, { } other) => own < other ? own : other,
            (var own, var other) => own ?? other,
        };
        DateOfBirth ??= merged.DateOfBirth;
        Name ??= merged.Name;
        foreach (var encounter in encounters)
        {
            encounter.CaseId = CaseId;
        }

        foreach (var condition in conditions)
        {
            condition.MoveTo(this);
        }

        HasIntakeExamination |= merged.HasIntakeExamination;
        if (merged.LastExaminedAt is { } theirs && (LastExaminedAt is null || theirs > LastExaminedAt))
        {
            LastExaminedAt = theirs;
        }

        ExaminationDueBy = LastExaminedAt is { } last ? last + InspectionInterval
            : merged.ExaminationDueBy < ExaminationDueBy ? merged.ExaminationDueBy : ExaminationDueBy;
        ActiveConditions += conditions.Count(c => c.IsActive);
        // A death or an open hospital stay recorded under either case is the person's.
        DiedAt ??= merged.DiedAt;
        HospitalisedSince = DiedAt is not null ? null : HospitalisedSince ?? merged.HospitalisedSince;
        AbsorbSeriousIllness(merged);
        Status = DeriveStatus();
        Version++;

        merged.ActiveConditions = 0;
        merged.HospitalisedSince = null;
        merged.Status = MedicalStatus.Merged;
        merged.MergedIntoCaseId = CaseId;
        merged.Version++;
    }

    /// <summary>
    /// Admits the patient to hospital from <paramref name="admittedAt"/> (dates checked by the caller against the capture,
    /// the birth and the previous stay): status HOSPITALISED. Refused ALREADY_IN_HOSPITAL while a stay is open.
    /// </summary>
    public HospitalStay AdmitToHospital(HospitalRef hospital, DateTimeOffset admittedAt, string reason, DateTimeOffset now)
    {
        EnsureOpen();
        if (HospitalisedSince is { } since)
        {
            throw new RuleViolationException("ALREADY_IN_HOSPITAL", ResourceType, Subject,
                $"Case {CaseNumber} is in hospital since {since:u}; discharge the patient first (outcome TRANSFERRED to move hospitals).");
        }

        var stay = HospitalStay.Admit(this, hospital, admittedAt, reason, now);
        HospitalisedSince = admittedAt;
        Status = DeriveStatus();
        Version++;
        return stay;
    }

    /// <summary>
    /// Brings the open hospital stays of the record (<paramref name="open"/>: all it holds) in line with one person: after a
    /// death none stays open (each ends at died_at with outcome DIED, as <see cref="RecordDeath"/> ends one, but not before
    /// its own admission when the facts of two merged cases disagree); otherwise at most one, the latest admission, the
    /// earlier ending at the next one's admission, outcome TRANSFERRED (<see cref="HospitalStay.KeepLatestOpen"/>).
    /// <c>hospitalised_since</c> is then the open stay's admission. Part of a merge (after <see cref="Absorb"/>), and run by
    /// every discharge and death before it looks for the open stay, so neither meets two. <paramref name="note"/> becomes the
    /// notes of each stay it ends. Returns the stay left open and those ended.
    /// </summary>
    public (HospitalStay? Open, IReadOnlyList<HospitalStay> Ended) SettleOpenStays(IReadOnlyList<HospitalStay> open, string note)
    {
        EnsureNotMerged();
        var stays = open.Where(s => s.IsOpen).Distinct().ToList();
        (HospitalStay? Open, IReadOnlyList<HospitalStay> Ended) settled;
        if (DiedAt is { } died)
        {
            foreach (var stay in stays)
            {
                stay.End(died < stay.AdmittedAt ? stay.AdmittedAt : died, DischargeOutcome.Died, note);
            }

            settled = (null, stays);
        }
        else
        {
            settled = HospitalStay.KeepLatestOpen(stays, note);
        }

        var since = settled.Open?.AdmittedAt;
        if (settled.Ended.Count > 0 || since != HospitalisedSince)
        {
            HospitalisedSince = since;
            Status = DeriveStatus();
            Version++;
        }

        return settled;
    }

    /// <summary>Ends the open stay <paramref name="open"/> (null when none: NOT_IN_HOSPITAL); the status is derived again.</summary>
    public void Discharge(HospitalStay? open, DateTimeOffset dischargedAt, DischargeOutcome outcome, string? notes)
    {
        EnsureOpen();
        if (open is null || HospitalisedSince is null)
        {
            throw new RuleViolationException("NOT_IN_HOSPITAL", ResourceType, Subject,
                $"Case {CaseNumber} has no open hospital stay to end.");
        }

        open.End(dischargedAt, outcome, notes);
        HospitalisedSince = null;
        Status = DeriveStatus();
        Version++;
    }

    /// <summary>
    /// Records the death (GC III Art. 120): status DECEASED, and the record takes nothing more (PATIENT_DECEASED). An open
    /// hospital stay (<paramref name="open"/>) ends at the death with outcome DIED. A death of unknown cause or caused by a
    /// person opens an enquiry (Art. 121; <see cref="Death.EnquiryGroundsOf"/>), opened by the certifying medic.
    /// </summary>
    public (Death Death, Enquiry? Enquiry) RecordDeath(DeathDetails details, HospitalStay? open, CallerIdentity certifiedBy, DateTimeOffset now)
    {
        EnsureOpen();
        Enquiry? enquiry = null;
        if (Death.EnquiryGroundsOf(details.Manner) is { } grounds)
        {
            enquiry = NextEnquiry(grounds, details.DiedAt,
                $"Death at {details.Place} on {details.DiedAt:yyyy-MM-dd}, death certificate {details.Certificate.Number}.", certifiedBy, now);
        }

        if (open is not null)
        {
            open.End(details.DiedAt, DischargeOutcome.Died, null);
            open.DischargedBy(certifiedBy.Agency, certifiedBy.ClientId, null, null);
        }

        var death = Death.Record(this, details, open, enquiry, now);
        HospitalisedSince = null;
        DiedAt = details.DiedAt;
        Status = DeriveStatus();
        Version++;
        return (death, enquiry);
    }

    /// <summary>
    /// Opens an enquiry (GC III Art. 121) into a serious injury caused or suspected to have been caused by a person, or,
    /// once the death is recorded, into the death: a suspicion may arise after a death was certified of another manner.
    /// The one write a deceased record still takes (the dates against the death: the caller). FAILED_PRECONDITION
    /// CASE_MERGED on a merged record; NO_DEATH_RECORDED for death grounds while no death is recorded (a death opens its
    /// own when recorded); ENQUIRY_OPEN, naming it, when <paramref name="openOnSameGrounds"/> (an open enquiry of the
    /// record on the same death grounds) exists: one death is enquired into once on each grounds at a time.
    /// </summary>
    public Enquiry OpenEnquiry(EnquiryGrounds grounds, DateTimeOffset occurredAt, string circumstances, Enquiry? openOnSameGrounds,
        CallerIdentity openedBy, DateTimeOffset now)
    {
        EnsureNotMerged();
        if (Enquiry.IsDeath(grounds))
        {
            if (DiedAt is null)
            {
                throw new RuleViolationException("NO_DEATH_RECORDED", ResourceType, Subject,
                    $"No death of case {CaseNumber} is recorded; a death opens its enquiry when it is recorded (RecordDeath).");
            }

            if (openOnSameGrounds is { } open)
            {
                throw new RuleViolationException("ENQUIRY_OPEN", Enquiry.ResourceType, open.Subject,
                    $"Enquiry {open.Reference} into the death of case {CaseNumber} on the same grounds is open; add to it rather than open another.");
            }
        }

        var enquiry = NextEnquiry(grounds, occurredAt, circumstances, openedBy, now);
        Version++;
        return enquiry;
    }

    private Enquiry NextEnquiry(EnquiryGrounds grounds, DateTimeOffset occurredAt, string circumstances, CallerIdentity openedBy, DateTimeOffset now)
    {
        EnquiriesOpened++;
        return Enquiry.Open(this, EnquiriesOpened, grounds, occurredAt, circumstances, openedBy, now);
    }

    /// <summary>
    /// The summary state from what the record holds, the gravest first: deceased, hospitalised, seriously ill or
    /// wounded, under treatment (a condition active), examined, awaiting the intake examination. A merged record
    /// keeps <see cref="MedicalStatus.Merged"/>, set by <see cref="Absorb"/>. Every change of the record ends here.
    /// </summary>
    private MedicalStatus DeriveStatus() =>
        DiedAt is not null ? MedicalStatus.Deceased
        : HospitalisedSince is not null ? MedicalStatus.Hospitalised
        : SeriouslyIllSince is not null ? MedicalStatus.SeriouslyIll
        : ActiveConditions > 0 ? MedicalStatus.UnderTreatment
        : LastExaminedAt is not null ? MedicalStatus.Examined
        : MedicalStatus.AwaitingExamination;

    /// <summary>
    /// The check every write on the record makes first: a record merged into another takes nothing more
    /// (FAILED_PRECONDITION CASE_MERGED, naming the survivor), nor does the record of a person whose death was recorded
    /// (PATIENT_DECEASED: GC III Art. 120; the death is final).
    /// </summary>
    public void EnsureOpen()
    {
        EnsureNotMerged();
        if (DiedAt is { } died)
        {
            throw new RuleViolationException("PATIENT_DECEASED", ResourceType, Subject,
                $"The death of case {CaseNumber} was recorded (died {died:u}); nothing more is recorded on the record.");
        }
    }

    /// <summary>The check of the writes a deceased record still takes (<see cref="OpenEnquiry"/>): CASE_MERGED only.</summary>
    internal void EnsureNotMerged()
    {
        if (MergedIntoCaseId is not null)
        {
            throw new RuleViolationException("CASE_MERGED", ResourceType, Subject,
                $"Case {CaseNumber} was merged into case {MergedIntoCaseId} as the same person; record this on that case instead.");
        }
    }
}

/// <summary>A person's name as intake registered it: in the person's own script, and in Latin letters when intake had them.</summary>
public sealed record PersonName(string FamilyName, string GivenNames, string? FamilyNameLatin, string? GivenNamesLatin)
{
    /// <summary>The name from the registration, or null when it carried none.</summary>
    public static PersonName? Of(string? familyName, string? givenNames, string? familyNameLatin, string? givenNamesLatin)
    {
        static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        var (family, given, familyLatin, givenLatin) = (Clean(familyName), Clean(givenNames), Clean(familyNameLatin), Clean(givenNamesLatin));
        return family is null && given is null ? null : new PersonName(family ?? "", given ?? "", familyLatin, givenLatin);
    }

    /// <summary>Family name then given names, as written in the person's script (e.g. "백 광순").</summary>
    public string Native => string.Join(' ', new[] { FamilyName, GivenNames }.Where(s => s.Length > 0));

    /// <summary>The Latin spelling, or null when intake had none.</summary>
    public string? Latin => FamilyNameLatin is null && GivenNamesLatin is null
        ? null : string.Join(' ', new[] { FamilyNameLatin, GivenNamesLatin }.Where(s => !string.IsNullOrEmpty(s)));
}

public enum MedicalStatus
{
    /// <summary>Opened at capture; no examination recorded yet.</summary>
    AwaitingExamination = 1,
    /// <summary>Examined; no condition active.</summary>
    Examined = 2,
    /// <summary>At least one condition or injury active.</summary>
    UnderTreatment = 3,
    /// <summary>The case was merged into another (the same person): that record holds the person's history now.</summary>
    Merged = 4,
    /// <summary>In hospital: admitted and not yet discharged.</summary>
    Hospitalised = 5,
    /// <summary>Marked seriously ill or wounded (GC III Art. 122): weekly health reports are due.</summary>
    SeriouslyIll = 6,
    /// <summary>Death recorded (GC III Art. 120); final.</summary>
    Deceased = 7,
}
