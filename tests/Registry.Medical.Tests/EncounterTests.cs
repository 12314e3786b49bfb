using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Features.Records;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>Encounters, conditions and the summary they keep (GC III Art. 30, 31).</summary>
public sealed class EncounterTests(MedicalFixture medical) : IClassFixture<MedicalFixture>
{
    private static readonly DateTimeOffset ExaminedAt = new(2025, 1, 12, 16, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);

    private async Task<Guid> RegisteredAsync(string? dateOfBirth = null)
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId,
            CaseNumber = "RC-000032",
            FamilyName = "백",
            GivenNames = "광순",
            CapturedAt = CapturedAt,
            CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO",
            RegisteredAt = new DateTimeOffset(2025, 1, 11, 8, 0, 0, TimeSpan.Zero),
            DateOfBirth = dateOfBirth,
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    /// <summary>
    /// A medical record (every medical feature and each case-file read start from it) is read by a query EF Core compiled once
    /// (<c>MedicalRecords.FindRecordAsync</c>, <c>CompiledQuery</c>), so no run builds, parameterises and hashes a LINQ query to
    /// find it in EF Core's query cache (docs/performance.md, "Reads by key compiled once"). A LINQ query leaves its shape in
    /// that cache; the compiled ones leave nothing.
    /// </summary>
    [Fact]
    public async Task A_record_is_read_by_a_query_compiled_once_not_through_ef_cores_query_cache()
    {
        var caseId = await RegisteredAsync();
        await using var db = await medical.IsolatedContextAsync();

        var found = await CompiledReads.FindsByKeyAsync(db, caseId, (id, tracked) => db.FindRecordAsync(id, tracked, CancellationToken.None));
        Assert.Equal("RC-000032", found.CaseNumber);
        await CompiledReads.LeftNoLinqQueryAsync(db, () => db.Records.AsNoTracking().SingleAsync(r => r.CaseId == caseId));
    }

    private static RecordEncounterRequest IntakeExamination(Guid caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Kind = EncounterKind.IntakeExamination,
        OccurredAt = Timestamp.FromDateTimeOffset(ExaminedAt),
        Place = "SBU detention facility medical unit, Kyiv",
        Clinician = "military surgeon on duty",
        Findings =
        {
            new ConditionFinding
            {
                Kind = ConditionKind.Injury,
                Description = "Fragment wounds of the lower face and jaw",
                BodySite = "face, jaw",
                Cause = "grenade detonated close to the face at capture",
            },
        },
    };

    private static RecordEncounterRequest Later(Guid caseId, EncounterKind kind, int days) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Kind = kind,
        OccurredAt = Timestamp.FromDateTimeOffset(ExaminedAt.AddDays(days)),
        Place = "SBU detention facility medical unit, Kyiv",
        Clinician = "military surgeon on duty",
    };

    [Fact]
    public async Task An_intake_examination_with_an_injury_puts_the_person_under_treatment_and_resets_the_inspection_clock()
    {
        var caseId = await RegisteredAsync();

        var recorded = await medical.Client.RecordEncounterAsync(IntakeExamination(caseId));

        Assert.Equal(MedicalStatus.UnderTreatment, recorded.Summary.Status);
        Assert.Equal(ExaminedAt, recorded.Summary.LastExaminedAt.ToDateTimeOffset());
        Assert.Equal(ExaminedAt.AddDays(30), recorded.Summary.ExaminationDueBy.ToDateTimeOffset());
        var injury = Assert.Single(recorded.Conditions);
        Assert.Equal(recorded.Encounter.EncounterId, injury.FoundInEncounterId);
        Assert.Equal([injury.ConditionId], recorded.Encounter.FoundConditionIds);

        var record = await medical.Client.GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = caseId.ToString() });
        Assert.Equal("face, jaw", Assert.Single(record.Conditions).BodySite);
        // The summary any role sees says "under treatment" and nothing clinical.
        var summary = (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;
        Assert.Equal(MedicalStatus.UnderTreatment, summary.Status);
    }

    [Fact]
    public async Task A_condition_found_resolved_ends_treatment_and_cannot_be_resolved_twice()
    {
        var caseId = await RegisteredAsync();
        var injury = (await medical.Client.RecordEncounterAsync(IntakeExamination(caseId))).Conditions[0];

        var treatment = Later(caseId, EncounterKind.Treatment, 20);
        treatment.ResolvedConditionIds.Add(injury.ConditionId);
        var healed = await medical.Client.RecordEncounterAsync(treatment);

        Assert.Equal(MedicalStatus.Examined, healed.Summary.Status);
        // A treatment is not an inspection: the clock still runs from the intake examination.
        Assert.Equal(ExaminedAt.AddDays(30), healed.Summary.ExaminationDueBy.ToDateTimeOffset());
        Assert.Equal(healed.Encounter.EncounterId, Assert.Single(healed.Conditions).ResolvedInEncounterId);

        var again = Later(caseId, EncounterKind.Treatment, 21);
        again.ResolvedConditionIds.Add(injury.ConditionId);
        var refused = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(again).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CONDITION_NOT_ACTIVE", $"cases/{caseId}");

        var secondIntake = IntakeExamination(caseId);
        var twice = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(secondIntake).ResponseAsync);
        RpcAssert.RuleViolation(twice, "INTAKE_EXAMINATION_DONE", $"cases/{caseId}");

        var inspection = await medical.Client.RecordEncounterAsync(Later(caseId, EncounterKind.Inspection, 29));
        Assert.Equal(ExaminedAt.AddDays(59), inspection.Summary.ExaminationDueBy.ToDateTimeOffset());
        Assert.Equal(3, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task A_retried_request_replays_the_first_answer_and_a_reused_id_is_refused()
    {
        var caseId = await RegisteredAsync();
        var request = IntakeExamination(caseId);
        var first = await medical.Client.RecordEncounterAsync(request);

        var retry = await medical.Client.RecordEncounterAsync(request);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Encounter.EncounterId, retry.Encounter.EncounterId);
        Assert.Equal(first.Conditions.Select(c => c.ConditionId), retry.Conditions.Select(c => c.ConditionId));

        var reused = request.Clone();
        reused.Notes = "something else";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(reused).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);
        Assert.Equal(1, await medical.QueryAsync(db => db.Conditions.CountAsync(c => c.CaseId == caseId)));
    }

    [Fact]
    public async Task Encounters_entered_at_once_all_count()
    {
        var caseId = await RegisteredAsync();
        await medical.Client.RecordEncounterAsync(IntakeExamination(caseId));

        // Six treatments, each finding one more condition, entered concurrently: none may be lost from the count.
        await Task.WhenAll(Enumerable.Range(1, 6).Select(day =>
        {
            var treatment = Later(caseId, EncounterKind.Treatment, day);
            treatment.Findings.Add(new ConditionFinding { Kind = ConditionKind.Illness, Description = $"finding of day {day}" });
            return medical.Client.RecordEncounterAsync(treatment).ResponseAsync;
        }));

        var record = await medical.Client.GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = caseId.ToString() });
        Assert.Equal(7, record.Conditions.Count);
        Assert.Equal(7, await medical.QueryAsync(db => db.Records.Where(r => r.CaseId == caseId).Select(r => r.ActiveConditions).SingleAsync()));
    }

    [Fact]
    public async Task Encounters_are_listed_in_the_order_they_took_place_page_by_page()
    {
        var caseId = await RegisteredAsync();
        // Entered out of order: the inspection of day 30 before the treatment of day 3.
        await medical.Client.RecordEncounterAsync(IntakeExamination(caseId));
        await medical.Client.RecordEncounterAsync(Later(caseId, EncounterKind.Inspection, 30));
        await medical.Client.RecordEncounterAsync(Later(caseId, EncounterKind.Treatment, 3));

        var kinds = new List<EncounterKind>();
        var token = "";
        do
        {
            var page = await medical.Client.ListEncountersAsync(new ListEncountersRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = token });
            kinds.AddRange(page.Encounters.Select(e => e.Kind));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal([EncounterKind.IntakeExamination, EncounterKind.Treatment, EncounterKind.Inspection], kinds);

        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            medical.Client.ListEncountersAsync(new ListEncountersRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = "forged" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    public static TheoryData<string, Action<RecordEncounterRequest>> BadEncounters => new()
    {
        { "request_id", r => r.RequestId = "x" },
        { "case_id", r => r.CaseId = "" },
        { "kind", r => r.Kind = EncounterKind.Unspecified },
        { "kind", r => r.Kind = (EncounterKind)42 },
        { "occurred_at", r => r.OccurredAt = null },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)) },
        { "place", r => r.Place = "" },
        { "clinician", r => r.Clinician = new string('x', 201) },
        { "findings[0].kind", r => r.Findings[0].Kind = ConditionKind.Unspecified },
        { "findings[0].description", r => r.Findings[0].Description = "" },
        { "findings[0].severity", r => r.Findings[0].Severity = (Severity)9 },
        { "resolved_condition_ids[0]", r => r.ResolvedConditionIds.Add("not-a-uuid") },
        { "findings", r => r.Findings.AddRange(Enumerable.Range(0, 20).Select(i => new ConditionFinding { Kind = ConditionKind.Illness, Description = $"{i}" })) },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        // Dates that cannot be true (the shared DateRules): outside 1900 to now + 5 minutes, or before the capture medical was told of.
        { "occurred_at", r => r.OccurredAt = new Timestamp { Seconds = -62135596800 } },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1899, 12, 31, 23, 0, 0, TimeSpan.Zero)) },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero)) },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1989, 6, 1, 0, 0, 0, TimeSpan.Zero)) },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(CapturedAt.AddYears(-6)) },
        { "occurred_at", r => r.OccurredAt = Timestamp.FromDateTimeOffset(CapturedAt.AddMinutes(-10)) },
        // Stored text is one line, whatever the line break.
        { "place", r => r.Place = "Kyiv\u2028medical unit" },
        { "notes", r => r.Notes = "seen\u2029again" },
        { "findings[0].description", r => r.Findings[0].Description = "wound\u0085jaw" },
        { "place", r => r.Place = "Kyiv\u200bmedical unit" },
        { "notes", r => r.Notes = "seen\u202eagain" },
    };

    [Fact]
    public async Task An_encounter_before_the_capture_is_refused_naming_the_capture_and_the_inspection_clock_stays_sane()
    {
        var caseId = await RegisteredAsync();
        var before = (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;
        var request = IntakeExamination(caseId);
        request.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1989, 6, 1, 0, 0, 0, TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("occurred_at", violation.Field);
        Assert.Contains("before the capture (2025-01-11T06:30:00Z)", violation.Description);
        // The summary does not say an inspection was due in 1989.
        var after = (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;
        Assert.Equal(before.ExaminationDueBy, after.ExaminationDueBy);
        Assert.True(after.ExaminationDueBy.ToDateTimeOffset() > CapturedAt);

        // Within the clock skew of the capture is accepted.
        request.RequestId = Guid.NewGuid().ToString();
        request.OccurredAt = Timestamp.FromDateTimeOffset(CapturedAt.AddMinutes(-2));
        Assert.False((await medical.Client.RecordEncounterAsync(request)).Replayed);
    }

    [Fact]
    public async Task An_encounter_before_the_persons_birth_is_refused_from_the_birth_date_the_registration_carried()
    {
        // A birth date after the capture (an older intake let it through): medical keeps the registration's dates.
        var caseId = await RegisteredAsync(dateOfBirth: "2025-02");
        var stored = await medical.QueryAsync(db => db.Records.Where(r => r.CaseId == caseId).Select(r => new { r.CapturedAt, r.DateOfBirth }).SingleAsync());
        Assert.Equal((CapturedAt, "2025-02"), (stored.CapturedAt, stored.DateOfBirth));
        var request = IntakeExamination(caseId);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("occurred_at", violation.Field);
        Assert.Contains("before the person's birth (2025-02)", violation.Description);
        Assert.Equal(0, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));
    }

    [Theory]
    [InlineData("upper case")]
    [InlineData("braces")]
    [InlineData("no hyphens")]
    public async Task A_retry_that_spells_the_request_id_otherwise_replays_the_encounter(string spelling)
    {
        var caseId = await RegisteredAsync();
        var request = IntakeExamination(caseId);
        var first = await medical.Client.RecordEncounterAsync(request);

        var retry = request.Clone();
        var id = Guid.Parse(request.RequestId);
        retry.RequestId = spelling switch
        {
            "upper case" => id.ToString("D").ToUpperInvariant(),
            "braces" => id.ToString("B"),
            _ => id.ToString("N"),
        };
        var replayed = await medical.Client.RecordEncounterAsync(retry);

        Assert.True(replayed.Replayed);
        Assert.Equal(first.Encounter.EncounterId, replayed.Encounter.EncounterId);
        Assert.Equal(1, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));
    }

    [Theory]
    [MemberData(nameof(BadEncounters))]
    public async Task A_bad_encounter_names_the_field_and_stores_nothing(string field, Action<RecordEncounterRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        var request = IntakeExamination(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.Encounters.CountAsync(e => e.CaseId == caseId)));
        Assert.Equal(MedicalStatus.AwaitingExamination,
            (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary.Status);
    }

    [Fact]
    public async Task An_encounter_of_an_unknown_case_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(IntakeExamination(Guid.NewGuid())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task An_encounter_carries_the_agency_and_client_of_the_medics_token_and_a_replay_returns_them()
    {
        var caseId = await RegisteredAsync();
        var medic = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Medic));
        var clientId = (await (await TestAuthority.GetAsync()).CredentialsAsync("UA-SBU", [RegistryRoles.Medic])).ClientId;
        var request = IntakeExamination(caseId);

        var recorded = await medic.RecordEncounterAsync(request);

        Assert.Equal("UA-SBU", recorded.Encounter.RecordedByAgency);
        Assert.Equal(clientId, recorded.Encounter.RecordedByClient);
        var listed = Assert.Single((await medical.Client.ListEncountersAsync(new ListEncountersRequest { CaseId = caseId.ToString(), PageSize = 10 })).Encounters);
        Assert.Equal("UA-SBU", listed.RecordedByAgency);
        Assert.Equal(clientId, listed.RecordedByClient);

        // A replay, even by another agency's client, answers what was stored.
        var replay = await medical.Client.RecordEncounterAsync(request);
        Assert.True(replay.Replayed);
        Assert.Equal("UA-SBU", replay.Encounter.RecordedByAgency);
        Assert.Equal(clientId, replay.Encounter.RecordedByClient);
        var sameClient = await medic.RecordEncounterAsync(request);
        Assert.True(sameClient.Replayed);
        Assert.Equal(recorded.Encounter, sameClient.Encounter);
    }
}
