using Registry.ServiceDefaults.Domain;
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

    private MedicalRecord()
    {
    }

    public Guid CaseId { get; private set; }

    /// <summary>The record as a resource name, as rule violations name it.</summary>
    public string Subject => $"cases/{CaseId}";

    public string CaseNumber { get; private set; } = "";
    public MedicalStatus Status { get; private set; }
    public DateTimeOffset OpenedAt { get; private set; }
    /// <summary>When the person was captured, as intake registered it; null on records opened before it was kept.</summary>
    public DateTimeOffset? CapturedAt { get; private set; }
    /// <summary>The person's date of birth as intake registered it (YYYY, YYYY-MM or YYYY-MM-DD); null when unknown.</summary>
    public string? DateOfBirth { get; private set; }

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

    public static MedicalRecord Open(Guid caseId, string caseNumber, DateTimeOffset now, DateTimeOffset? capturedAt = null, string? dateOfBirth = null) => new()
    {
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
    /// Intake merged <paramref name="merged"/>'s case into this one (CasesMerged): the person's encounters and conditions
    /// recorded under it move to this record, which then holds the person's whole medical history, and the summary is
    /// counted again from both: active conditions added up, the latest examination of either, and the inspection clock
    /// (GC III Art. 31) 30 days after that examination, or, with no examination on either, the earlier of the two due
    /// dates, so an inspection overdue under either case stays overdue. The merged record keeps nothing active, says
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
        AbsorbSeriousIllness(merged);
        Status = DeriveStatus();
        Version++;

        merged.ActiveConditions = 0;
        merged.Status = MedicalStatus.Merged;
        merged.MergedIntoCaseId = CaseId;
        merged.Version++;
    }

    /// <summary>
    /// The summary state from what the record holds, the gravest first: deceased, hospitalised, seriously ill or
    /// wounded, under treatment (a condition active), examined, awaiting the intake examination. A merged record
    /// keeps <see cref="MedicalStatus.Merged"/>, set by <see cref="Absorb"/>. Every change of the record ends here.
    /// </summary>
    private MedicalStatus DeriveStatus() =>
        SeriouslyIllSince is not null ? MedicalStatus.SeriouslyIll
        : ActiveConditions > 0 ? MedicalStatus.UnderTreatment
        : LastExaminedAt is not null ? MedicalStatus.Examined
        : MedicalStatus.AwaitingExamination;

    /// <summary>
    /// The check every write on the record makes first: a record merged into another takes nothing more
    /// (FAILED_PRECONDITION CASE_MERGED, naming the survivor).
    /// </summary>
    public void EnsureOpen() => EnsureNotMerged();

    private void EnsureNotMerged()
    {
        if (MergedIntoCaseId is not null)
        {
            throw new RuleViolationException("CASE_MERGED", ResourceType, Subject,
                $"Case {CaseNumber} was merged into case {MergedIntoCaseId} as the same person; record this on that case instead.");
        }
    }
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
