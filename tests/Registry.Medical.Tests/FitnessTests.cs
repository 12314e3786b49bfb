using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.Medical.Tests;

/// <summary>The medical service with a queue of its own that records what medical publishes (FitnessAssessed), as custody would.</summary>
public sealed class FitnessFixture() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public MedicalService.MedicalServiceClient Client => new(Service.Channel);

    public TestEvents Events { get; private set; } = null!;

    protected override async Task StartingAsync(string broker) =>
        Events = await TestEvents.StartAsync(broker, "test-medical-fitness-events", typeof(FitnessAssessed));

    protected override async Task StoppedAsync() => await Events.DisposeAsync();
}

/// <summary>Fitness assessments for interview, transfer and repatriation (GC III Art. 17, 47, 109-117) and the question custody asks.</summary>
public sealed class FitnessTests(FitnessFixture medical, ITestOutputHelper output) : IClassFixture<FitnessFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AssessedAt = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);

    private async Task<Guid> RegisteredAsync(string number = "RC-000001", string? dateOfBirth = null)
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = number, FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2), DateOfBirth = dateOfBirth,
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    private static AssessFitnessRequest Assessment(Guid caseId, FitnessPurpose purpose = FitnessPurpose.Interview,
        FitnessOutcome outcome = FitnessOutcome.Fit, DateTimeOffset? at = null, int days = 30) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        Purpose = purpose,
        Outcome = outcome,
        Conditions = outcome == FitnessOutcome.FitWithConditions ? "interviews of at most 2 hours with a rest" : "",
        ClinicalReasons = outcome == FitnessOutcome.Fit ? "" : "jaw fracture under treatment; speaking tires him",
        AssessedAt = Timestamp.FromDateTimeOffset(at ?? AssessedAt),
        ValidUntil = Timestamp.FromDateTimeOffset((at ?? AssessedAt).AddDays(days)),
        AssessedBy = "Maj. O. Kovalenko, military surgeon",
    };

    private Task<GetFitnessResponse> FitnessAsync(Guid caseId, FitnessPurpose purpose, DateTimeOffset? at, MedicalService.MedicalServiceClient? client = null)
    {
        var request = new GetFitnessRequest { CaseId = caseId.ToString(), Purpose = purpose };
        if (at is { } instant)
        {
            request.At = Timestamp.FromDateTimeOffset(instant);
        }

        return (client ?? medical.Client).GetFitnessAsync(request).ResponseAsync;
    }

    [Fact]
    public async Task The_two_men_of_the_seed_story_are_assessed_fit_for_interview_and_custody_hears_of_it()
    {
        var rifleman = await RegisteredAsync("RC-000001", "2005");
        var sniper = await RegisteredAsync("RC-000002", "1999");

        foreach (var caseId in new[] { rifleman, sniper })
        {
            var assessed = await medical.Client.AssessFitnessAsync(Assessment(caseId));
            Assert.False(assessed.Replayed);
            Assert.Equal((FitnessPurpose.Interview, FitnessOutcome.Fit), (assessed.Assessment.Purpose, assessed.Assessment.Outcome));

            var answer = await FitnessAsync(caseId, FitnessPurpose.Interview, AssessedAt.AddDays(2));
            Assert.Equal(FitnessStanding.InForce, answer.Standing);
            Assert.Equal(assessed.Assessment.AssessmentId, answer.Assessment.AssessmentId);
            Assert.Equal(AssessedAt.AddDays(30), answer.Assessment.ValidUntil.ToDateTimeOffset());

            // Through the outbox: what custody needs, without the clinical reasons (the event has no such field).
            var published = await medical.Events.WaitForAsync<FitnessAssessed>(e => e.CaseId == caseId, "FitnessAssessed");
            Assert.Equal(("INTERVIEW", "FIT", AssessedAt, AssessedAt.AddDays(30)),
                (published.Purpose, published.Outcome, published.AssessedAt, published.ValidUntil));
            Assert.Equal(Guid.Parse(assessed.Assessment.AssessmentId), published.AssessmentId);
        }
    }

    [Fact]
    public async Task GetFitness_answers_the_assessment_in_force_or_none_expired_superseded_never_and_not_found_for_an_unknown_case()
    {
        var caseId = await RegisteredAsync();
        var never = await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt);
        Assert.Equal(FitnessStanding.None, never.Standing);
        Assert.Null(never.Assessment);
        Assert.Null(never.ExpiredAt);

        var fit = (await medical.Client.AssessFitnessAsync(Assessment(caseId, FitnessPurpose.Transfer, days: 30))).Assessment;
        Assert.Equal(fit.AssessmentId, (await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt.AddDays(1))).Assessment.AssessmentId);
        Assert.Equal(fit.AssessmentId, (await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt)).Assessment.AssessmentId);
        Assert.Equal(FitnessStanding.None, (await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt.AddMinutes(-1))).Standing);
        // valid_until is exclusive.
        var expired = await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt.AddDays(30));
        Assert.Equal((FitnessStanding.None, AssessedAt.AddDays(30)), (expired.Standing, expired.ExpiredAt.ToDateTimeOffset()));
        // Another purpose is another question.
        Assert.Equal(FitnessStanding.None, (await FitnessAsync(caseId, FitnessPurpose.Interview, AssessedAt.AddDays(1))).Standing);

        // Found unfit on day 10 until day 20: from day 10 that answers, and after day 20 the earlier FIT does not come back.
        var unfit = (await medical.Client.AssessFitnessAsync(Assessment(caseId, FitnessPurpose.Transfer, FitnessOutcome.Unfit, AssessedAt.AddDays(10), days: 10))).Assessment;
        Assert.Equal(fit.AssessmentId, (await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt.AddDays(9))).Assessment.AssessmentId);
        var superseding = await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt.AddDays(15));
        Assert.Equal((FitnessStanding.InForce, unfit.AssessmentId, FitnessOutcome.Unfit),
            (superseding.Standing, superseding.Assessment.AssessmentId, superseding.Assessment.Outcome));
        var superseded = await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt.AddDays(25));
        Assert.Equal((FitnessStanding.None, AssessedAt.AddDays(20)), (superseded.Standing, superseded.ExpiredAt.ToDateTimeOffset()));

        var unknown = await Assert.ThrowsAsync<RpcException>(() => FitnessAsync(Guid.NewGuid(), FitnessPurpose.Transfer, null));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task GetFitness_without_an_instant_answers_for_now()
    {
        var caseId = await RegisteredAsync();
        var now = DateTimeOffset.UtcNow;
        var request = Assessment(caseId, FitnessPurpose.Repatriation, at: now.AddHours(-1), days: 10);
        var assessed = (await medical.Client.AssessFitnessAsync(request)).Assessment;

        var answer = await FitnessAsync(caseId, FitnessPurpose.Repatriation, at: null);

        Assert.Equal((FitnessStanding.InForce, assessed.AssessmentId), (answer.Standing, answer.Assessment.AssessmentId));
        Assert.InRange(answer.At.ToDateTimeOffset(), now.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task The_question_custody_asks_carries_a_deadline_and_prints_its_latency()
    {
        var caseId = await RegisteredAsync();
        for (var day = 0; day < 60; day += 3)
        {
            await medical.Client.AssessFitnessAsync(Assessment(caseId, FitnessPurpose.Transfer, at: AssessedAt.AddDays(day)));
        }

        var custodian = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Custodian));
        await FitnessAsync(caseId, FitnessPurpose.Transfer, AssessedAt, custodian);
        var took = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var answer = await custodian.GetFitnessAsync(new GetFitnessRequest
            {
                CaseId = caseId.ToString(), Purpose = FitnessPurpose.Transfer, At = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(i % 60).AddHours(1)),
            }, deadline: DateTime.UtcNow.AddSeconds(30)); // a bound, not a timing assertion: the figures are printed
            took.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(FitnessStanding.InForce, answer.Standing);
            Assert.Equal(AssessedAt.AddDays(i % 60 / 3 * 3), answer.Assessment.AssessedAt.ToDateTimeOffset());
        }

        took.Sort();
        output.WriteLine($"GetFitness over gRPC with a custodian's token, 200 calls: p50 {took[100]:F1} ms, p95 {took[190]:F1} ms, max {took[^1]:F1} ms");
    }

    [Fact]
    public async Task A_medic_reads_the_clinical_reasons_and_a_custodian_the_answer_without_them()
    {
        var caseId = await RegisteredAsync();
        var medic = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Medic));
        var custodian = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Custodian));
        var request = Assessment(caseId, FitnessPurpose.Interview, FitnessOutcome.FitWithConditions);
        var assessed = (await medic.AssessFitnessAsync(request)).Assessment;
        Assert.Equal(request.ClinicalReasons, assessed.ClinicalReasons);
        Assert.Equal("UA-SBU", assessed.AssessedByAgency);

        var forMedic = await FitnessAsync(caseId, FitnessPurpose.Interview, AssessedAt.AddDays(1), medic);
        Assert.Equal(request.ClinicalReasons, forMedic.Assessment.ClinicalReasons);
        var forCustodian = await FitnessAsync(caseId, FitnessPurpose.Interview, AssessedAt.AddDays(1), custodian);
        Assert.Equal("", forCustodian.Assessment.ClinicalReasons);
        // What custody must follow stays.
        Assert.Equal((FitnessOutcome.FitWithConditions, "interviews of at most 2 hours with a rest", AssessedAt.AddDays(30)),
            (forCustodian.Assessment.Outcome, forCustodian.Assessment.Conditions, forCustodian.Assessment.ValidUntil.ToDateTimeOffset()));

        var list = new ListFitnessAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 10 };
        Assert.Equal(request.ClinicalReasons, Assert.Single((await medic.ListFitnessAssessmentsAsync(list)).Assessments).ClinicalReasons);
        var listed = Assert.Single((await custodian.ListFitnessAssessmentsAsync(list)).Assessments);
        Assert.Equal(("", request.Conditions), (listed.ClinicalReasons, listed.Conditions));

        // The audit says what was withheld from whom.
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.AccessEvents.AnyAsync(e =>
                e.Method.EndsWith("/GetFitness") && e.Roles == RegistryRoles.Custodian && e.Withheld == "clinical_reasons")),
            TimeSpan.FromSeconds(30), "the custodian's GetFitness audited with clinical_reasons withheld");

        // Assessing is the medic's; the answer is not for the capturing unit nor a foreign partner.
        var denied = await Assert.ThrowsAsync<RpcException>(() => custodian.AssessFitnessAsync(Assessment(caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        foreach (var role in new[] { RegistryRoles.IntakeOfficer, RegistryRoles.Partner })
        {
            var other = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SSO", role));
            var refused = await Assert.ThrowsAsync<RpcException>(() => FitnessAsync(caseId, FitnessPurpose.Interview, null, other));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
    }

    [Fact]
    public async Task From_a_recorded_death_on_no_assessment_is_in_force_and_none_is_taken()
    {
        var caseId = await RegisteredAsync();
        var medic = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Medic));
        var custodian = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Custodian));
        var fit = Assessment(caseId, FitnessPurpose.Transfer, at: CapturedAt.AddDays(10), days: 70);
        var assessed = (await medic.AssessFitnessAsync(fit)).Assessment;
        var diedAt = CapturedAt.AddDays(30);
        await medic.RecordDeathAsync(new RecordDeathRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), DiedAt = Timestamp.FromDateTimeOffset(diedAt),
            Place = "Military hospital No. 1, Kyiv", Cause = "Sepsis following fragment wounds of the face and jaw", Manner = DeathManner.Wounds,
            Certificate = new DeathCertificate
            {
                Number = "DC-2025-0051", IssuedBy = "Maj. O. Kovalenko, chief surgeon", IssuedAt = Timestamp.FromDateTimeOffset(diedAt.AddHours(6)),
            },
        });

        // Ten days after the death the FIT that was to run to day 80 answers nothing, and says why, to custody too.
        foreach (var client in new[] { medic, custodian })
        {
            var after = await FitnessAsync(caseId, FitnessPurpose.Transfer, CapturedAt.AddDays(40), client);
            Assert.Equal(FitnessStanding.None, after.Standing);
            Assert.Null(after.Assessment);
            Assert.Null(after.ExpiredAt);
            Assert.Equal(diedAt, after.DiedAt.ToDateTimeOffset());
        }

        // The death instant itself is the first without one; before it the assessment stood, and the answer says he died since.
        Assert.Equal(FitnessStanding.None, (await FitnessAsync(caseId, FitnessPurpose.Transfer, diedAt, custodian)).Standing);
        var before = await FitnessAsync(caseId, FitnessPurpose.Transfer, CapturedAt.AddDays(20), custodian);
        Assert.Equal((FitnessStanding.InForce, assessed.AssessmentId, diedAt),
            (before.Standing, before.Assessment.AssessmentId, before.DiedAt.ToDateTimeOffset()));
        // A living person's answer has no died_at.
        var living = await RegisteredAsync("RC-000003");
        await medic.AssessFitnessAsync(Assessment(living, FitnessPurpose.Transfer, at: CapturedAt.AddDays(10), days: 70));
        Assert.Null((await FitnessAsync(living, FitnessPurpose.Transfer, CapturedAt.AddDays(40), custodian)).DiedAt);

        // The record is final: no assessment after the death, whatever its dates (GC III Art. 120).
        var late = await Assert.ThrowsAsync<RpcException>(() =>
            medic.AssessFitnessAsync(Assessment(caseId, FitnessPurpose.Interview, at: CapturedAt.AddDays(20))).ResponseAsync);
        RpcAssert.RuleViolation(late, "PATIENT_DECEASED", $"cases/{caseId}");
        Assert.Equal(1, await medical.QueryAsync(db => db.FitnessAssessments.CountAsync(f => f.CaseId == caseId)));
    }

    [Fact]
    public async Task A_retried_assessment_replays_the_first_and_a_reused_id_is_refused()
    {
        var caseId = await RegisteredAsync();
        var request = Assessment(caseId, FitnessPurpose.Transfer, FitnessOutcome.Unfit);
        var first = await medical.Client.AssessFitnessAsync(request);

        var retry = request.Clone();
        retry.RequestId = Guid.Parse(request.RequestId).ToString("N");
        var replayed = await medical.Client.AssessFitnessAsync(retry);
        Assert.True(replayed.Replayed);
        Assert.Equal(first.Assessment, replayed.Assessment);

        var reused = request.Clone();
        reused.ClinicalReasons = "another finding";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AssessFitnessAsync(reused).ResponseAsync);
        RpcAssert.RequestIdReused(conflict, Guid.Parse(request.RequestId));
        Assert.Equal(1, await medical.QueryAsync(db => db.FitnessAssessments.CountAsync(f => f.CaseId == caseId)));
        Assert.Equal(1, await medical.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Payload.Contains(caseId.ToString()))));
    }

    [Fact]
    public async Task Assessments_are_listed_newest_first_page_by_page_of_one_purpose_or_all()
    {
        var caseId = await RegisteredAsync();
        // Entered out of order.
        foreach (var (purpose, day) in new[] { (FitnessPurpose.Interview, 5), (FitnessPurpose.Transfer, 1), (FitnessPurpose.Interview, 20), (FitnessPurpose.Repatriation, 9), (FitnessPurpose.Interview, 12) })
        {
            await medical.Client.AssessFitnessAsync(Assessment(caseId, purpose, at: AssessedAt.AddDays(day)));
        }

        async Task<List<(FitnessPurpose, int)>> ListAsync(FitnessPurpose purpose)
        {
            var seen = new List<(FitnessPurpose, int)>();
            var token = "";
            do
            {
                var page = await medical.Client.ListFitnessAssessmentsAsync(new ListFitnessAssessmentsRequest
                {
                    CaseId = caseId.ToString(), Purpose = purpose, PageSize = 2, PageToken = token,
                });
                Assert.True(page.Assessments.Count <= 2);
                // A token is given only when rows follow: no page comes back empty.
                Assert.NotEmpty(page.Assessments);
                seen.AddRange(page.Assessments.Select(a => (a.Purpose, (int)(a.AssessedAt.ToDateTimeOffset() - AssessedAt).TotalDays)));
                token = page.NextPageToken;
            }
            while (token != "");
            return seen;
        }

        Assert.Equal([(FitnessPurpose.Interview, 20), (FitnessPurpose.Interview, 12), (FitnessPurpose.Repatriation, 9), (FitnessPurpose.Interview, 5), (FitnessPurpose.Transfer, 1)],
            await ListAsync(FitnessPurpose.Unspecified));
        Assert.Equal([(FitnessPurpose.Interview, 20), (FitnessPurpose.Interview, 12), (FitnessPurpose.Interview, 5)], await ListAsync(FitnessPurpose.Interview));

        // A full page that is the last carries no token (AIP-158).
        var whole = await medical.Client.ListFitnessAssessmentsAsync(new ListFitnessAssessmentsRequest { CaseId = caseId.ToString(), PageSize = 5 });
        Assert.Equal((5, ""), (whole.Assessments.Count, whole.NextPageToken));

        // A token of one purpose's list is not a token of another's.
        var first = await medical.Client.ListFitnessAssessmentsAsync(new ListFitnessAssessmentsRequest { CaseId = caseId.ToString(), Purpose = FitnessPurpose.Interview, PageSize = 1 });
        var bad = await Assert.ThrowsAsync<RpcException>(() => medical.Client.ListFitnessAssessmentsAsync(new ListFitnessAssessmentsRequest
        {
            CaseId = caseId.ToString(), PageSize = 1, PageToken = first.NextPageToken,
        }).ResponseAsync);
        Assert.Equal("page_token", Assert.Single(bad.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task A_merged_case_takes_no_assessment_and_its_assessments_answer_on_the_survivor()
    {
        var survivor = await RegisteredAsync("RC-X");
        var merged = await RegisteredAsync("RC-Y");
        var assessed = (await medical.Client.AssessFitnessAsync(Assessment(merged, FitnessPurpose.Transfer))).Assessment;

        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-X", MergedCaseId = merged, MergedCaseNumber = "RC-Y",
            Reason = "same man", MergedAt = CapturedAt.AddDays(20),
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == merged && r.MergedIntoCaseId == survivor)),
            TimeSpan.FromSeconds(60), "the merge applied");

        var refused = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AssessFitnessAsync(Assessment(merged)).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{merged}");
        var onSurvivor = await FitnessAsync(survivor, FitnessPurpose.Transfer, AssessedAt.AddDays(1));
        Assert.Equal((FitnessStanding.InForce, assessed.AssessmentId, survivor.ToString()),
            (onSurvivor.Standing, onSurvivor.Assessment.AssessmentId, onSurvivor.Assessment.CaseId));
        var onMerged = await FitnessAsync(merged, FitnessPurpose.Transfer, AssessedAt.AddDays(1));
        Assert.Equal((FitnessStanding.None, survivor.ToString()), (onMerged.Standing, onMerged.MergedIntoCaseId));
    }

    public static TheoryData<string, Action<AssessFitnessRequest>> BadAssessments => new()
    {
        { "request_id", r => r.RequestId = "x" },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "case_id", r => r.CaseId = "" },
        { "case_id", r => r.CaseId = "RC-000001" },
        { "purpose", r => r.Purpose = FitnessPurpose.Unspecified },
        { "purpose", r => r.Purpose = (FitnessPurpose)42 },
        { "outcome", r => r.Outcome = FitnessOutcome.Unspecified },
        { "outcome", r => r.Outcome = (FitnessOutcome)9 },
        // Conditions: only with FIT_WITH_CONDITIONS, and then required.
        { "conditions", r => r.Conditions = "no handcuffs" },
        { "conditions", r => (r.Outcome, r.ClinicalReasons) = (FitnessOutcome.FitWithConditions, "jaw wound") },
        { "conditions", r => (r.Outcome, r.ClinicalReasons, r.Conditions) = (FitnessOutcome.FitWithConditions, "jaw wound", new string('x', 1001)) },
        { "conditions", r => (r.Outcome, r.ClinicalReasons, r.Conditions) = (FitnessOutcome.FitWithConditions, "jaw wound", "rest\u2028often") },
        { "clinical_reasons", r => r.Outcome = FitnessOutcome.Unfit },
        { "clinical_reasons", r => r.ClinicalReasons = new string('x', 4001) },
        { "clinical_reasons", r => r.ClinicalReasons = "fine\u202eenif" },
        { "assessed_at", r => r.AssessedAt = null },
        { "assessed_at", r => r.AssessedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)) },
        { "assessed_at", r => r.AssessedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-1)) },
        { "assessed_at", r => r.AssessedAt = new Timestamp { Seconds = -62135596800 } },
        { "valid_until", r => r.ValidUntil = null },
        { "valid_until", r => r.ValidUntil = r.AssessedAt },
        { "valid_until", r => r.ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(-1)) },
        { "valid_until", r => r.ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(90).AddSeconds(1)) },
        { "valid_until", r => r.ValidUntil = new Timestamp { Seconds = 253402300800 } },
        { "assessed_by", r => r.AssessedBy = " " },
        { "assessed_by", r => r.AssessedBy = new string('x', 201) },
    };

    [Theory]
    [MemberData(nameof(BadAssessments))]
    public async Task A_bad_assessment_names_the_field_and_stores_nothing(string field, Action<AssessFitnessRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        var request = Assessment(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AssessFitnessAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.FitnessAssessments.CountAsync(f => f.CaseId == caseId)));
    }

    [Fact]
    public async Task The_longest_validity_and_an_assessment_of_an_unknown_case()
    {
        var caseId = await RegisteredAsync();
        Assert.False((await medical.Client.AssessFitnessAsync(Assessment(caseId, days: 90))).Replayed);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => medical.Client.AssessFitnessAsync(Assessment(Guid.NewGuid())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    public static TheoryData<string, Action<GetFitnessRequest>> BadQuestions => new()
    {
        { "case_id", r => r.CaseId = "" },
        { "case_id", r => r.CaseId = "not-a-uuid" },
        { "purpose", r => r.Purpose = FitnessPurpose.Unspecified },
        { "purpose", r => r.Purpose = (FitnessPurpose)7 },
        { "at", r => r.At = new Timestamp { Seconds = 253402300800 } },
        { "at", r => r.At = new Timestamp { Nanos = -1 } },
    };

    [Theory]
    [MemberData(nameof(BadQuestions))]
    public async Task A_bad_question_names_the_field(string field, Action<GetFitnessRequest> spoil)
    {
        var request = new GetFitnessRequest { CaseId = Guid.NewGuid().ToString(), Purpose = FitnessPurpose.Transfer };
        spoil(request);
        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.GetFitnessAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    public static TheoryData<string, Action<ListFitnessAssessmentsRequest>> BadLists => new()
    {
        { "case_id", r => r.CaseId = "" },
        { "purpose", r => r.Purpose = (FitnessPurpose)7 },
        { "page_size", r => r.PageSize = 0 },
        { "page_size", r => r.PageSize = 501 },
        { "page_token", r => r.PageToken = "forged" },
    };

    [Theory]
    [MemberData(nameof(BadLists))]
    public async Task A_bad_list_request_names_the_field(string field, Action<ListFitnessAssessmentsRequest> spoil)
    {
        var request = new ListFitnessAssessmentsRequest { CaseId = Guid.NewGuid().ToString(), PageSize = 10 };
        spoil(request);
        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.ListFitnessAssessmentsAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }
}
