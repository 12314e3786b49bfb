using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Custody.Features.Interviews;
using Registry.Custody.Features.Records;
using Registry.Protos.Custody.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using Facility = Registry.Protos.Custody.V1.Facility;

namespace Registry.Custody.Tests;

/// <summary>
/// Interviews (GC III Art. 17): who questioned the person, where, in which language, through whom and in whose presence,
/// after medical's answer on fitness for interview; never what was said. A partner sees only the interviews its agency
/// took part in, in the list and in the case file.
/// </summary>
public sealed class InterviewTests(InterviewFixture custody) : IClassFixture<InterviewFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AssessedAt = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset InterviewAt = new(2025, 1, 20, 10, 0, 0, TimeSpan.Zero);

    private CustodyService.CustodyServiceClient Custodian => new(custody.Service.As("UA-SBU", RegistryRoles.Custodian));

    private CustodyService.CustodyServiceClient Partner(string agency) => new(custody.Service.As(agency, RegistryRoles.Partner));

    private async Task AssessAsync(Guid caseId, FitnessOutcome outcome)
    {
        await custody.Medical.Client.AssessFitnessAsync(new AssessFitnessRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            Purpose = FitnessPurpose.Interview,
            Outcome = outcome,
            ClinicalReasons = outcome == FitnessOutcome.Fit ? "" : "jaw fracture under treatment; speaking tires him",
            AssessedAt = Timestamp.FromDateTimeOffset(AssessedAt),
            ValidUntil = Timestamp.FromDateTimeOffset(AssessedAt.AddDays(30)),
            AssessedBy = "Maj. O. Kovalenko, military surgeon",
        });
    }

    private async Task<Guid> FitCaseAsync()
    {
        var caseId = await custody.RegisterAsync(CapturedAt);
        await AssessAsync(caseId, FitnessOutcome.Fit);
        return caseId;
    }

    /// <summary>The seed story's interview: in Kyiv, in Korean, a Korean interpreter, a South Korean service present.</summary>
    private static RecordInterviewRequest Kyiv(Guid caseId, DateTimeOffset? at = null)
    {
        var request = new RecordInterviewRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            StartedAt = Timestamp.FromDateTimeOffset(at ?? InterviewAt),
            DurationMinutes = 90,
            Place = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            InterviewingAgency = "UA-SBU",
            Interviewer = "SBU investigator 14",
            Language = "ko",
            Interpreter = new InterviewParticipant { Name = "interpreter K-7", Agency = "UA-SBU", Function = "Korean interpreter" },
        };
        request.Present.Add(new InterviewParticipant { Name = "NIS liaison officer", Agency = "KR-NIS", Function = "observer" });
        return request;
    }

    private Task<int> StoredAsync(Guid caseId) => custody.QueryAsync(db => db.Interviews.CountAsync(i => i.CaseId == caseId));

    [Fact]
    public async Task The_seed_storys_interview_in_Kyiv_in_Korean_is_recorded_with_everyone_present_and_medicals_answer()
    {
        var caseId = await FitCaseAsync();

        var response = await Custodian.RecordInterviewAsync(Kyiv(caseId));

        var interview = response.Interview;
        Assert.False(response.Replayed);
        Assert.Equal(caseId.ToString(), interview.CaseId);
        Assert.Equal(InterviewAt, interview.StartedAt.ToDateTimeOffset());
        Assert.Equal(90, interview.DurationMinutes);
        Assert.Equal("Kyiv", interview.Place.Locality);
        Assert.Equal("ko", interview.Language);
        Assert.Equal("KR-NIS", Assert.Single(interview.Present).Agency);
        Assert.Equal("interpreter K-7", interview.Interpreter.Name);
        Assert.StartsWith("fitness for INTERVIEW: FIT", interview.Fitness);
        Assert.NotEqual("", interview.FitnessAssessmentId);
        Assert.Equal("", interview.OverrideReason);
        Assert.Equal("UA-SBU", interview.RecordedByAgency);

        var listed = Assert.Single((await Custodian.ListInterviewsAsync(new ListInterviewsRequest { CaseId = caseId.ToString(), PageSize = 10 })).Interviews);
        Assert.Equal(interview, listed);
        var record = (await Custodian.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record;
        Assert.Equal(interview, record.LastInterview);
        // The record of a custody state change is the timeline; an interview moves nothing.
        Assert.Equal(1, record.EventCount);

        // Art. 17: the contract has no field for what was said.
        Assert.Equal(
            ["case_id", "duration_minutes", "fitness", "fitness_assessment_id", "interpreter", "interview_id", "interviewer", "interviewing_agency",
             "language", "override_reason", "place", "present", "recorded_at", "recorded_by_agency", "started_at"],
            Interview.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name).Order());
    }

    /// <summary>
    /// A custody record and the case's latest interview (each case-file read asks for both) are read by queries EF Core
    /// compiled once (<c>CustodyRecords.FindRecordAsync</c>, <c>ListInterviewsHandler.LastAsync</c>, <c>CompiledQuery</c>), so no
    /// run builds, parameterises and hashes a LINQ query to find it in EF Core's query cache (docs/performance.md, "Reads by
    /// key compiled once"). A LINQ query leaves its shape in that cache; the compiled ones leave nothing.
    /// </summary>
    [Fact]
    public async Task The_record_and_the_latest_interview_are_read_by_queries_compiled_once_not_through_ef_cores_query_cache()
    {
        var caseId = await FitCaseAsync();
        await Custodian.RecordInterviewAsync(Kyiv(caseId, InterviewAt));
        var latest = (await Custodian.RecordInterviewAsync(Kyiv(caseId, InterviewAt.AddDays(1)))).Interview;
        await using var db = await custody.IsolatedContextAsync();

        var found = await CompiledReads.FindsByKeyAsync(db, caseId, (id, tracked) => db.FindRecordAsync(id, tracked, CancellationToken.None));
        Assert.Equal(caseId, found.CaseId);
        var (last, withheld) = await new ListInterviewsHandler(db).LastAsync(caseId, null, CancellationToken.None);
        Assert.Equal(latest.InterviewId, last!.InterviewId.ToString());
        Assert.Equal("KR-NIS", Assert.Single(last.Present).Agency);
        Assert.False(withheld);
        await CompiledReads.LeftNoLinqQueryAsync(db, () => db.Records.AsNoTracking().SingleAsync(r => r.CaseId == caseId));
    }

    [Fact]
    public async Task Unfit_refuses_the_interview_unless_an_override_reason_is_recorded_with_it()
    {
        var caseId = await custody.RegisterAsync(CapturedAt);
        await AssessAsync(caseId, FitnessOutcome.Unfit);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(Kyiv(caseId)).ResponseAsync);
        RpcAssert.RuleViolation(refused, "UNFIT_FOR_INTERVIEW", $"cases/{caseId}");
        Assert.Equal(0, await StoredAsync(caseId));

        var request = Kyiv(caseId);
        request.OverrideReason = "urgent: the location of a missing comrade, 20 minutes, medic present";
        var interview = (await Custodian.RecordInterviewAsync(request)).Interview;
        Assert.StartsWith("fitness for INTERVIEW: UNFIT", interview.Fitness);
        Assert.Contains("overridden: urgent", interview.Fitness);
        Assert.Equal(request.OverrideReason, interview.OverrideReason);
        Assert.Equal(1, await StoredAsync(caseId));
    }

    [Fact]
    public async Task No_assessment_refuses_the_interview_unless_overridden()
    {
        var caseId = await custody.RegisterAsync(CapturedAt);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(Kyiv(caseId)).ResponseAsync);
        RpcAssert.RuleViolation(refused, "NO_FITNESS_ASSESSMENT", $"cases/{caseId}");
        Assert.Equal(0, await StoredAsync(caseId));

        var request = Kyiv(caseId);
        request.OverrideReason = "medic unavailable at the front; interview of 30 minutes";
        var interview = (await Custodian.RecordInterviewAsync(request)).Interview;
        Assert.Contains("no assessment in force", interview.Fitness);
        Assert.Equal("", interview.FitnessAssessmentId);
        Assert.Equal(request.OverrideReason, interview.OverrideReason);
    }

    [Fact]
    public async Task An_override_given_when_the_person_is_fit_is_not_recorded_as_one()
    {
        var caseId = await FitCaseAsync();
        var request = Kyiv(caseId);
        request.OverrideReason = "just in case";

        var interview = (await Custodian.RecordInterviewAsync(request)).Interview;

        Assert.Equal("", interview.OverrideReason);
        Assert.DoesNotContain("overridden", interview.Fitness);
    }

    public static TheoryData<string, Action<RecordInterviewRequest>> BadRequests => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "case_id", r => r.CaseId = "RC-000001" },
        { "started_at", r => r.StartedAt = null },
        { "started_at", r => r.StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "started_at", r => r.StartedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-1)) },
        { "duration_minutes", r => r.DurationMinutes = 0 },
        { "duration_minutes", r => r.DurationMinutes = 721 },
        { "place", r => r.Place = null },
        { "place.name", r => r.Place.Name = " " },
        { "place.country", r => r.Place.Country = "Ukraine" },
        { "interviewing_agency", r => r.InterviewingAgency = "" },
        { "interviewing_agency", r => r.InterviewingAgency = new string('A', 201) },
        { "interviewer", r => r.Interviewer = "" },
        { "interviewer", r => r.Interviewer = "SBU\ninvestigator" },
        { "language", r => r.Language = "" },
        { "language", r => r.Language = "kor" },
        { "language", r => r.Language = "Korean" },
        { "interpreter.name", r => r.Interpreter.Name = "" },
        { "interpreter.agency", r => r.Interpreter.Agency = "" },
        { "present[0].name", r => r.Present[0].Name = "" },
        { "present[0].agency", r => r.Present[0].Agency = "" },
        { "present[0].function", r => r.Present[0].Function = "" },
        { "present", r => r.Present.AddRange(Enumerable.Range(0, 20).Select(n => new InterviewParticipant { Name = $"observer {n}", Agency = "KR-NIS", Function = "observer" })) },
        { "override_reason", r => r.OverrideReason = new string('x', 1001) },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_names_the_field_and_stores_nothing(string field, Action<RecordInterviewRequest> spoil)
    {
        var caseId = await FitCaseAsync();
        var request = Kyiv(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await StoredAsync(caseId));
    }

    [Fact]
    public async Task An_unknown_case_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(Kyiv(Guid.NewGuid())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task A_retry_replays_the_first_answer_and_a_reused_request_id_is_refused()
    {
        var caseId = await FitCaseAsync();
        var request = Kyiv(caseId);
        var first = await Custodian.RecordInterviewAsync(request);

        var retry = await Custodian.RecordInterviewAsync(request.Clone());
        Assert.True(retry.Replayed);
        Assert.Equal(first.Interview, retry.Interview);

        var reused = request.Clone();
        reused.DurationMinutes = 30;
        var conflict = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(reused).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);
        Assert.Equal(1, await StoredAsync(caseId));
    }

    [Fact]
    public async Task Interviews_are_listed_latest_first_page_by_page()
    {
        var caseId = await FitCaseAsync();
        foreach (var day in new[] { 2, 0, 1 })
        {
            await Custodian.RecordInterviewAsync(Kyiv(caseId, InterviewAt.AddDays(day)));
        }

        var seen = new List<Interview>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await Custodian.ListInterviewsAsync(new ListInterviewsRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = token });
            seen.AddRange(page.Interviews);
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.Equal(2, pages);
        Assert.Equal([InterviewAt.AddDays(2), InterviewAt.AddDays(1), InterviewAt], seen.Select(i => i.StartedAt.ToDateTimeOffset()));
        var last = (await Custodian.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = caseId.ToString() })).Record.LastInterview;
        Assert.Equal(InterviewAt.AddDays(2), last.StartedAt.ToDateTimeOffset());

        var bad = await Assert.ThrowsAsync<RpcException>(() => Custodian.ListInterviewsAsync(new ListInterviewsRequest { CaseId = caseId.ToString(), PageSize = 0 }).ResponseAsync);
        Assert.Equal("page_size", Assert.Single(bad.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task A_partner_sees_only_the_interviews_its_agency_took_part_in()
    {
        var caseId = await FitCaseAsync();
        var present = "KR-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var absent = "KR-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        foreach (var partner in new[] { present, absent })
        {
            await custody.Bus.Publisher.Publish(new Registry.Contracts.CaseShared
            {
                ShareId = Guid.NewGuid(), CaseId = caseId, CaseNumber = "RC-000001", PartnerAgency = partner,
                ValidUntil = DateTimeOffset.UtcNow.AddDays(30), SharedAt = DateTimeOffset.UtcNow,
            });
        }

        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.Shares.CountAsync(s => s.CaseId == caseId)) == 2,
            TimeSpan.FromSeconds(30), "both shares");
        var withPartner = Kyiv(caseId);
        withPartner.Present[0].Agency = present;
        var taken = (await Custodian.RecordInterviewAsync(withPartner)).Interview;
        var without = Kyiv(caseId, InterviewAt.AddHours(3));
        without.Present.Clear();
        var other = (await Custodian.RecordInterviewAsync(without)).Interview;

        var list = new ListInterviewsRequest { CaseId = caseId.ToString(), PageSize = 10 };
        Assert.Equal([taken], (await Partner(present).ListInterviewsAsync(list)).Interviews);
        Assert.Empty((await Partner(absent).ListInterviewsAsync(list)).Interviews);
        Assert.Equal([other, taken], (await Custodian.ListInterviewsAsync(list)).Interviews);

        // The case file's last interview (the one without the partner) is withheld from the partner, shown to the custodian.
        var get = new GetCustodyRecordRequest { CaseId = caseId.ToString() };
        var partnersView = (await Partner(present).GetCustodyRecordAsync(get)).Record;
        Assert.Null(partnersView.LastInterview);
        // Unset because withheld, not because there is none: the record says so.
        Assert.Contains("last_interview", partnersView.WithheldFields);
        var custodiansView = (await Custodian.GetCustodyRecordAsync(get)).Record;
        Assert.Equal(other, custodiansView.LastInterview);
        Assert.Empty(custodiansView.WithheldFields);
        var audit = await custody.QueryAsync(db => db.AccessEvents.Where(e => e.Method.EndsWith("/GetCustodyRecord") && e.Agency == present).ToListAsync());
        Assert.Contains("last_interview", Assert.Single(audit).Withheld);

        // Once the partner took part in the latest, it sees it in the case file.
        var later = Kyiv(caseId, InterviewAt.AddHours(6));
        later.Interpreter.Agency = present;
        var third = (await Custodian.RecordInterviewAsync(later)).Interview;
        Assert.Equal(third, (await Partner(present).GetCustodyRecordAsync(get)).Record.LastInterview);
        Assert.Null((await Partner(absent).GetCustodyRecordAsync(get)).Record.LastInterview);
    }

    [Fact]
    public async Task A_partner_cannot_list_the_interviews_of_a_case_not_shared_with_it()
    {
        var caseId = await FitCaseAsync();
        await Custodian.RecordInterviewAsync(Kyiv(caseId));

        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            Partner("KR-NIS").ListInterviewsAsync(new ListInterviewsRequest { CaseId = caseId.ToString(), PageSize = 10 }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var writer = await Assert.ThrowsAsync<RpcException>(() =>
            new CustodyService.CustodyServiceClient(custody.Service.As("UA-SBU", RegistryRoles.Coordinator)).RecordInterviewAsync(Kyiv(caseId)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, writer.StatusCode);
    }

    [Fact]
    public async Task No_interview_is_recorded_after_the_end_of_captivity_or_on_a_merged_case()
    {
        var released = await FitCaseAsync();
        await custody.QueryAsync(async db =>
        {
            var record = await db.Records.SingleAsync(r => r.CaseId == released);
            db.Events.Add(record.Release(InterviewAt.AddDays(-1), "released on parole", DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });
        var ended = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(Kyiv(released)).ResponseAsync);
        RpcAssert.RuleViolation(ended, "CAPTIVITY_ENDED", $"cases/{released}");
        // One held before the release and entered late is accepted.
        await Custodian.RecordInterviewAsync(Kyiv(released, InterviewAt.AddDays(-2)));

        var merged = await FitCaseAsync();
        var survivor = await FitCaseAsync();
        await custody.QueryAsync(async db =>
        {
            var records = await db.Records.Where(r => r.CaseId == merged || r.CaseId == survivor).ToListAsync();
            var (into, from) = records.Single(r => r.CaseId == survivor).Absorb(records.Single(r => r.CaseId == merged), InterviewAt.AddDays(-3), DateTimeOffset.UtcNow);
            db.Events.AddRange(into, from);
            return await db.SaveChangesAsync();
        });
        var refused = await Assert.ThrowsAsync<RpcException>(() => Custodian.RecordInterviewAsync(Kyiv(merged)).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{merged}");
        Assert.Equal(0, await StoredAsync(merged));
    }
}
