using Registry.Medical.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Medical.Tests.Domain;

/// <summary>The medical record's encounter rules and its inspection clock (GC III Art. 31), with no server.</summary>
public sealed class MedicalRecordTests
{
    private static readonly DateTimeOffset Opened = new(2025, 1, 11, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ConditionFinding JawWound = new(ConditionKind.Injury, "Fragment wounds of the lower face and jaw", "face, jaw", "grenade", Severity.Severe);

    private static MedicalRecord NewRecord() => MedicalRecord.Open(Guid.CreateVersion7(), "RC-000002", Opened);

    private static EncounterDetails At(EncounterKind kind, DateTimeOffset at) => new(kind, at, "medical unit, Kyiv", "Dr. K., surgeon", null);

    private static (Encounter Encounter, IReadOnlyList<Condition> Found, IReadOnlyList<Condition> Resolved) Enter(
        MedicalRecord record, EncounterKind kind, DateTimeOffset at, ConditionFinding[]? findings = null, Guid[]? resolve = null, IReadOnlyList<Condition>? active = null) =>
        record.RecordEncounter(At(kind, at), findings ?? [], resolve ?? [], active ?? [], Now);

    [Fact]
    public void A_new_record_awaits_its_examination_within_the_inspection_interval()
    {
        var record = NewRecord();

        Assert.Equal(MedicalStatus.AwaitingExamination, record.Status);
        Assert.Equal(Opened.AddDays(30), record.ExaminationDueBy);
        Assert.Null(record.LastExaminedAt);
    }

    [Fact]
    public void An_examination_restarts_the_monthly_clock_and_a_finding_puts_the_person_under_treatment()
    {
        var record = NewRecord();
        var examined = Opened.AddDays(1);

        var (_, found, _) = Enter(record, EncounterKind.IntakeExamination, examined, [JawWound]);

        Assert.Single(found);
        Assert.True(found[0].IsActive);
        Assert.Equal(examined, found[0].FoundAt);
        Assert.Equal(MedicalStatus.UnderTreatment, record.Status);
        Assert.Equal(examined, record.LastExaminedAt);
        Assert.Equal(examined.AddDays(30), record.ExaminationDueBy);
        Assert.Equal(1, record.ActiveConditions);
    }

    [Fact]
    public void The_intake_examination_happens_once()
    {
        var record = NewRecord();
        Enter(record, EncounterKind.IntakeExamination, Opened.AddDays(1));

        var refused = Assert.Throws<RuleViolationException>(() => Enter(record, EncounterKind.IntakeExamination, Opened.AddDays(2)));

        Assert.Equal("INTAKE_EXAMINATION_DONE", refused.Reason);
    }

    [Fact]
    public void A_treatment_does_not_count_as_an_inspection()
    {
        var record = NewRecord();
        Enter(record, EncounterKind.IntakeExamination, Opened.AddDays(1));

        Enter(record, EncounterKind.Treatment, Opened.AddDays(10));

        Assert.Equal(Opened.AddDays(1), record.LastExaminedAt);
        Assert.Equal(Opened.AddDays(31), record.ExaminationDueBy);
    }

    [Fact]
    public void An_inspection_entered_late_for_an_earlier_day_does_not_move_the_clock_back()
    {
        var record = NewRecord();
        Enter(record, EncounterKind.Inspection, Opened.AddDays(20));

        Enter(record, EncounterKind.Inspection, Opened.AddDays(5));

        Assert.Equal(Opened.AddDays(20), record.LastExaminedAt);
        Assert.Equal(Opened.AddDays(50), record.ExaminationDueBy);
    }

    [Fact]
    public void Resolving_the_last_active_condition_leaves_the_person_examined()
    {
        var record = NewRecord();
        var (_, found, _) = Enter(record, EncounterKind.IntakeExamination, Opened.AddDays(1), [JawWound]);

        var (later, _, resolved) = Enter(record, EncounterKind.Inspection, Opened.AddDays(25), resolve: [found[0].ConditionId], active: found);

        Assert.Same(found[0], Assert.Single(resolved));
        Assert.False(found[0].IsActive);
        Assert.Equal(later.EncounterId, found[0].ResolvedInEncounterId);
        Assert.Equal(0, record.ActiveConditions);
        Assert.Equal(MedicalStatus.Examined, record.Status);
    }

    [Fact]
    public void Only_an_active_condition_can_be_resolved()
    {
        var record = NewRecord();

        var refused = Assert.Throws<RuleViolationException>(() =>
            Enter(record, EncounterKind.Treatment, Opened.AddDays(3), resolve: [Guid.CreateVersion7()]));

        Assert.Equal("CONDITION_NOT_ACTIVE", refused.Reason);
        Assert.Equal($"cases/{record.CaseId}", refused.Subject);
    }

    [Fact]
    public void An_encounter_before_a_finding_cannot_resolve_it()
    {
        var record = NewRecord();
        var (_, found, _) = Enter(record, EncounterKind.IntakeExamination, Opened.AddDays(5), [JawWound]);

        var refused = Assert.Throws<RuleViolationException>(() =>
            Enter(record, EncounterKind.Treatment, Opened.AddDays(4), resolve: [found[0].ConditionId], active: found));

        Assert.Equal("RESOLUTION_BEFORE_FINDING", refused.Reason);
        Assert.True(found[0].IsActive);
    }

    [Fact]
    public void Every_change_bumps_the_version_that_serialises_concurrent_encounters()
    {
        var record = NewRecord();
        var before = record.Version;

        Enter(record, EncounterKind.Treatment, Opened.AddDays(2));

        Assert.Equal(before + 1, record.Version);
    }

    [Fact]
    public void An_encounter_before_the_capture_or_the_birth_is_refused_and_leaves_the_clock()
    {
        var captured = Opened.AddDays(-3);
        var record = MedicalRecord.Open(Guid.CreateVersion7(), "RC-000003", Opened, captured, "1999-03");

        var early = Assert.Throws<RuleViolationException>(() => Enter(record, EncounterKind.IntakeExamination, new DateTimeOffset(1989, 6, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal("ENCOUNTER_BEFORE_CAPTURE", early.Reason);
        Assert.Equal(Opened.AddDays(30), record.ExaminationDueBy);
        Assert.Null(record.LastExaminedAt);
        Enter(record, EncounterKind.IntakeExamination, captured.AddHours(1));
        Assert.Equal(captured.AddHours(1).AddDays(30), record.ExaminationDueBy);
    }
}
