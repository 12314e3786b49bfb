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

namespace Registry.Medical.Tests;

/// <summary>Medical with a queue that records the weekly report clock's events, as intake's consumer receives them.</summary>
public sealed class SeriouslyIllFixture() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public MedicalService.MedicalServiceClient Client => new(Service.Channel);

    public TestEvents Events { get; private set; } = null!;

    protected override async Task StartingAsync(string broker) =>
        Events = await TestEvents.StartAsync(broker, "test-medical-weekly-report-clock",
            typeof(SeriouslyIllMarked), typeof(WeeklyHealthReportRecorded), typeof(SeriouslyIllUnmarked), typeof(WeeklyReportClockMerged));

    protected override async Task StoppedAsync() => await Events.DisposeAsync();
}

/// <summary>
/// Seriously ill or wounded (GC III Art. 122): a medic marks and unmarks; while marked the summary says SERIOUSLY_ILL and
/// a weekly health report is due 7 days after the mark, then 7 days after the latest report; every change of that clock
/// is published with the record's version and without clinical detail.
/// </summary>
public sealed class SeriouslyIllTests(SeriouslyIllFixture medical) : IClassFixture<SeriouslyIllFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Since = CapturedAt.AddDays(5);

    private async Task<Guid> RegisteredAsync(string number = "RC-000032")
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = number, FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt, CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2), DateOfBirth = "1999",
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    private static MarkSeriouslyIllRequest Mark(Guid caseId, DateTimeOffset? since = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Since = Timestamp.FromDateTimeOffset(since ?? Since),
        Grounds = "septic fragment wounds of the jaw, febrile",
    };

    private static RecordWeeklyHealthReportRequest Report(Guid caseId, DateTimeOffset at, HealthState state = HealthState.Stable) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), ReportedAt = Timestamp.FromDateTimeOffset(at), State = state,
        Notes = "wound drainage reduced; temperature 37.9",
    };

    private static UnmarkSeriouslyIllRequest Unmark(Guid caseId, DateTimeOffset until) => new()
    {
        RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Until = Timestamp.FromDateTimeOffset(until), Note = "afebrile for 10 days",
    };

    private async Task<MedicalSummary> SummaryAsync(Guid caseId) =>
        (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;

    [Fact]
    public async Task A_mark_starts_the_weekly_clock_each_report_moves_it_and_unmarking_stops_it()
    {
        var caseId = await RegisteredAsync();

        var marked = await medical.Client.MarkSeriouslyIllAsync(Mark(caseId));

        Assert.Equal((MedicalStatus.SeriouslyIll, Since), (marked.Summary.Status, marked.Summary.SeriouslyIllSince.ToDateTimeOffset()));
        Assert.Equal(Since.AddDays(7), marked.NextReportDueBy.ToDateTimeOffset());
        Assert.Equal("septic fragment wounds of the jaw, febrile", marked.SeriousIllness.Grounds);
        var summary = await SummaryAsync(caseId);
        Assert.Equal((MedicalStatus.SeriouslyIll, Since), (summary.Status, summary.SeriouslyIllSince.ToDateTimeOffset()));
        var markedEvent = await medical.Events.WaitForAsync<SeriouslyIllMarked>(e => e.CaseId == caseId, "SeriouslyIllMarked");
        Assert.Equal((Since, Since.AddDays(7)), (markedEvent.Since, markedEvent.NextReportDueAt));

        // The first report six days on: the next is due a week after it. A report entered late, of an earlier day, moves nothing.
        var first = await medical.Client.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(6), HealthState.Deteriorating));
        Assert.Equal(Since.AddDays(13), first.NextReportDueBy.ToDateTimeOffset());
        var late = await medical.Client.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(2), HealthState.Critical));
        Assert.Equal(Since.AddDays(13), late.NextReportDueBy.ToDateTimeOffset());
        Assert.Equal(MedicalStatus.SeriouslyIll, late.Summary.Status);
        var reported = await medical.Events.WaitForAsync<WeeklyHealthReportRecorded>(e => e.ReportId.ToString() == first.Report.ReportId, "the first report's event");
        Assert.Equal(("Deteriorating", Since.AddDays(13)), (reported.State, reported.NextReportDueAt));
        Assert.True(reported.RecordVersion > markedEvent.RecordVersion);

        var unmarked = await medical.Client.UnmarkSeriouslyIllAsync(Unmark(caseId, Since.AddDays(20)));

        Assert.Equal(MedicalStatus.AwaitingExamination, unmarked.Summary.Status);
        Assert.Null(unmarked.Summary.SeriouslyIllSince);
        Assert.Equal((Since.AddDays(20), "afebrile for 10 days"), (unmarked.SeriousIllness.Until.ToDateTimeOffset(), unmarked.SeriousIllness.EndNote));
        var list = await medical.Client.ListWeeklyHealthReportsAsync(new ListWeeklyHealthReportsRequest { CaseId = caseId.ToString(), PageSize = 10 });
        Assert.Null(list.NextReportDueBy);
        var stopped = await medical.Events.WaitForAsync<SeriouslyIllUnmarked>(e => e.CaseId == caseId, "SeriouslyIllUnmarked");
        Assert.Equal((Since.AddDays(20), false), (stopped.Until, stopped.Died));
        Assert.True(stopped.RecordVersion > medical.Events.Of<WeeklyHealthReportRecorded>().Where(e => e.CaseId == caseId).Max(e => e.RecordVersion));

        // Not marked any more: no report, no second unmark. Marked again, a second mark is refused.
        var noReport = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(21))).ResponseAsync);
        RpcAssert.RuleViolation(noReport, "NOT_SERIOUSLY_ILL", $"cases/{caseId}");
        var noUnmark = await Assert.ThrowsAsync<RpcException>(() => medical.Client.UnmarkSeriouslyIllAsync(Unmark(caseId, Since.AddDays(21))).ResponseAsync);
        RpcAssert.RuleViolation(noUnmark, "NOT_SERIOUSLY_ILL", $"cases/{caseId}");
        await medical.Client.MarkSeriouslyIllAsync(Mark(caseId, Since.AddDays(30)));
        var twice = await Assert.ThrowsAsync<RpcException>(() => medical.Client.MarkSeriouslyIllAsync(Mark(caseId, Since.AddDays(31))).ResponseAsync);
        RpcAssert.RuleViolation(twice, "ALREADY_SERIOUSLY_ILL", $"cases/{caseId}");
        Assert.Equal(2, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId)));
    }

    [Fact]
    public async Task A_spell_ends_no_earlier_than_its_latest_report_and_the_next_begins_no_earlier_than_its_end()
    {
        var caseId = await RegisteredAsync();
        await medical.Client.MarkSeriouslyIllAsync(Mark(caseId, CapturedAt.AddDays(4)));
        await medical.Client.RecordWeeklyHealthReportAsync(Report(caseId, CapturedAt.AddDays(11)));

        // Ending on day 6 would leave the day-11 report outside its own spell.
        var early = await Assert.ThrowsAsync<RpcException>(() => medical.Client.UnmarkSeriouslyIllAsync(Unmark(caseId, CapturedAt.AddDays(6))).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, early.StatusCode);
        var violation = Assert.Single(early.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("until", violation.Field);
        Assert.Contains("2025-01-22T06:30:00Z", violation.Description);
        Assert.Equal((MedicalStatus.SeriouslyIll, CapturedAt.AddDays(18)),
            ((await SummaryAsync(caseId)).Status, (await medical.Client.ListWeeklyHealthReportsAsync(
                new ListWeeklyHealthReportsRequest { CaseId = caseId.ToString(), PageSize = 5 })).NextReportDueBy.ToDateTimeOffset()));
        Assert.Equal(1, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId && i.Until == null)));

        // On the day of the report itself it may end.
        var unmarked = await medical.Client.UnmarkSeriouslyIllAsync(Unmark(caseId, CapturedAt.AddDays(11)));
        Assert.Equal(CapturedAt.AddDays(11), unmarked.SeriousIllness.Until.ToDateTimeOffset());

        // A new mark inside the spell just ended would overlap it; from its end on it is a new spell.
        var overlap = await Assert.ThrowsAsync<RpcException>(() => medical.Client.MarkSeriouslyIllAsync(Mark(caseId, CapturedAt.AddDays(5))).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, overlap.StatusCode);
        var sinceViolation = Assert.Single(overlap.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("since", sinceViolation.Field);
        Assert.Contains("2025-01-22T06:30:00Z", sinceViolation.Description);
        Assert.Equal(MedicalStatus.AwaitingExamination, (await SummaryAsync(caseId)).Status);
        Assert.Equal(1, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId)));

        var again = await medical.Client.MarkSeriouslyIllAsync(Mark(caseId, CapturedAt.AddDays(11)));
        Assert.Equal((MedicalStatus.SeriouslyIll, CapturedAt.AddDays(11)), (again.Summary.Status, again.Summary.SeriouslyIllSince.ToDateTimeOffset()));
        Assert.Equal(2, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId)));
    }

    [Fact]
    public async Task The_events_carry_no_clinical_detail()
    {
        var caseId = await RegisteredAsync();
        await medical.Client.MarkSeriouslyIllAsync(Mark(caseId));
        await medical.Client.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(6)));

        var reported = await medical.Events.WaitForAsync<WeeklyHealthReportRecorded>(e => e.CaseId == caseId, "the report's event");
        var marked = await medical.Events.WaitForAsync<SeriouslyIllMarked>(e => e.CaseId == caseId, "the mark's event");

        var published = System.Text.Json.JsonSerializer.Serialize<object>(reported) + System.Text.Json.JsonSerializer.Serialize<object>(marked);
        Assert.DoesNotContain("septic", published);
        Assert.DoesNotContain("drainage", published);
    }

    [Fact]
    public async Task Reports_are_listed_in_the_order_reported_page_by_page()
    {
        var caseId = await RegisteredAsync();
        await medical.Client.MarkSeriouslyIllAsync(Mark(caseId));
        foreach (var day in new[] { 14, 7, 21 })
        {
            await medical.Client.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(day)));
        }

        var days = new List<int>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await medical.Client.ListWeeklyHealthReportsAsync(new ListWeeklyHealthReportsRequest { CaseId = caseId.ToString(), PageSize = 1, PageToken = token });
            days.AddRange(page.Reports.Select(r => (int)(r.ReportedAt.ToDateTimeOffset() - Since).TotalDays));
            Assert.Equal(Since.AddDays(28), page.NextReportDueBy.ToDateTimeOffset());
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.Equal([7, 14, 21], days);
        Assert.True(pages >= 3);
        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            medical.Client.ListWeeklyHealthReportsAsync(new ListWeeklyHealthReportsRequest { CaseId = caseId.ToString(), PageSize = 1, PageToken = "forged" }).ResponseAsync);
        Assert.Equal("page_token", Assert.Single(bad.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task A_retry_replays_each_write_and_a_reused_request_id_is_refused()
    {
        var caseId = await RegisteredAsync();
        var mark = Mark(caseId);
        var marked = await medical.Client.MarkSeriouslyIllAsync(mark);
        var again = await medical.Client.MarkSeriouslyIllAsync(mark);
        Assert.True(again.Replayed);
        Assert.Equal(marked.SeriousIllness.SeriousIllnessId, again.SeriousIllness.SeriousIllnessId);

        var report = Report(caseId, Since.AddDays(6));
        var reported = await medical.Client.RecordWeeklyHealthReportAsync(report);
        var reportAgain = await medical.Client.RecordWeeklyHealthReportAsync(report);
        Assert.True(reportAgain.Replayed);
        Assert.Equal(reported.Report.ReportId, reportAgain.Report.ReportId);
        var otherReport = report.Clone();
        otherReport.State = HealthState.Critical;
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordWeeklyHealthReportAsync(otherReport).ResponseAsync)).StatusCode);

        var unmark = Unmark(caseId, Since.AddDays(10));
        var unmarked = await medical.Client.UnmarkSeriouslyIllAsync(unmark);
        var unmarkAgain = await medical.Client.UnmarkSeriouslyIllAsync(unmark);
        Assert.True(unmarkAgain.Replayed);
        Assert.Equal(unmarked.SeriousIllness.SeriousIllnessId, unmarkAgain.SeriousIllness.SeriousIllnessId);
        var otherMark = mark.Clone();
        otherMark.Grounds = "something else";
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => medical.Client.MarkSeriouslyIllAsync(otherMark).ResponseAsync)).StatusCode);

        Assert.Equal(1, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId)));
        Assert.Equal(1, await medical.QueryAsync(db => db.WeeklyHealthReports.CountAsync(r => r.CaseId == caseId)));
        // The outbox publishes after the commit: wait for the unmark's event, then there must be only that one.
        await medical.Events.WaitForAsync<SeriouslyIllUnmarked>(e => e.CaseId == caseId, "SeriouslyIllUnmarked");
        Assert.Single(medical.Events.Of<SeriouslyIllUnmarked>(), e => e.CaseId == caseId);
    }

    public static TheoryData<string, Action<MarkSeriouslyIllRequest>> BadMarks => new()
    {
        { "request_id", r => r.RequestId = "x" },
        { "case_id", r => r.CaseId = "not-a-uuid" },
        { "since", r => r.Since = null },
        { "since", r => r.Since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)) },
        { "since", r => r.Since = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-2)) },
        { "since", r => r.Since = Timestamp.FromDateTimeOffset(new DateTimeOffset(1995, 1, 1, 0, 0, 0, TimeSpan.Zero)) },
        { "grounds", r => r.Grounds = "" },
        { "grounds", r => r.Grounds = new string('x', 2001) },
        { "grounds", r => r.Grounds = "fever\u2028sepsis" },
    };

    [Theory]
    [MemberData(nameof(BadMarks))]
    public async Task A_bad_mark_names_the_field_and_stores_nothing(string field, Action<MarkSeriouslyIllRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        var request = Mark(caseId);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.MarkSeriouslyIllAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId)));
        Assert.Equal(MedicalStatus.AwaitingExamination, (await SummaryAsync(caseId)).Status);
    }

    public static TheoryData<string, Action<RecordWeeklyHealthReportRequest>> BadReports => new()
    {
        { "request_id", r => r.RequestId = "" },
        { "case_id", r => r.CaseId = "" },
        { "reported_at", r => r.ReportedAt = null },
        { "reported_at", r => r.ReportedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "reported_at", r => r.ReportedAt = Timestamp.FromDateTimeOffset(Since.AddDays(-1)) },
        { "state", r => r.State = HealthState.Unspecified },
        { "state", r => r.State = (HealthState)42 },
        { "notes", r => r.Notes = new string('x', 4001) },
        { "notes", r => r.Notes = "stable\u202e" },
    };

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task A_bad_report_names_the_field_and_stores_nothing(string field, Action<RecordWeeklyHealthReportRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        await medical.Client.MarkSeriouslyIllAsync(Mark(caseId));
        var request = Report(caseId, Since.AddDays(6));
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordWeeklyHealthReportAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await medical.QueryAsync(db => db.WeeklyHealthReports.CountAsync(r => r.CaseId == caseId)));
    }

    public static TheoryData<string, Action<UnmarkSeriouslyIllRequest>> BadUnmarks => new()
    {
        { "request_id", r => r.RequestId = Guid.Empty.ToString() },
        { "case_id", r => r.CaseId = "x" },
        { "until", r => r.Until = null },
        { "until", r => r.Until = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "until", r => r.Until = Timestamp.FromDateTimeOffset(Since.AddHours(-1)) },
        { "note", r => r.Note = new string('x', 1001) },
        { "note", r => r.Note = "better\u0085now" },
    };

    [Theory]
    [MemberData(nameof(BadUnmarks))]
    public async Task A_bad_unmark_names_the_field_and_leaves_the_mark(string field, Action<UnmarkSeriouslyIllRequest> spoil)
    {
        var caseId = await RegisteredAsync();
        await medical.Client.MarkSeriouslyIllAsync(Mark(caseId));
        var request = Unmark(caseId, Since.AddDays(10));
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => medical.Client.UnmarkSeriouslyIllAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(MedicalStatus.SeriouslyIll, (await SummaryAsync(caseId)).Status);
    }

    [Fact]
    public async Task Only_a_medic_marks_reports_unmarks_and_reads_the_reports_and_who_did_it_comes_from_the_token()
    {
        var caseId = await RegisteredAsync();
        var coordinator = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Coordinator));
        var calls = new Func<Task>[]
        {
            () => coordinator.MarkSeriouslyIllAsync(Mark(caseId)).ResponseAsync,
            () => coordinator.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(1))).ResponseAsync,
            () => coordinator.UnmarkSeriouslyIllAsync(Unmark(caseId, Since.AddDays(1))).ResponseAsync,
            () => coordinator.ListWeeklyHealthReportsAsync(new ListWeeklyHealthReportsRequest { CaseId = caseId.ToString(), PageSize = 5 }).ResponseAsync,
        };
        foreach (var call in calls)
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }

        Assert.Equal(0, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => i.CaseId == caseId)));
        // The coordinator sees the state and its date in the summary, nothing clinical.
        var medic = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", RegistryRoles.Medic));
        var clientId = (await (await TestAuthority.GetAsync()).CredentialsAsync("UA-SBU", [RegistryRoles.Medic])).ClientId;
        var marked = await medic.MarkSeriouslyIllAsync(Mark(caseId));
        var reported = await medic.RecordWeeklyHealthReportAsync(Report(caseId, Since.AddDays(3)));
        Assert.Equal(("UA-SBU", clientId), (marked.SeriousIllness.MarkedByAgency, marked.SeriousIllness.MarkedByClient));
        Assert.Equal(("UA-SBU", clientId), (reported.Report.RecordedByAgency, reported.Report.RecordedByClient));
        var summary = (await coordinator.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;
        Assert.Equal((MedicalStatus.SeriouslyIll, Since), (summary.Status, summary.SeriouslyIllSince.ToDateTimeOffset()));
    }

    [Fact]
    public async Task A_merge_leaves_one_clock_on_the_survivor_and_republishes_it()
    {
        var survivor = await RegisteredAsync("RC-X");
        var merged = await RegisteredAsync("RC-Y");
        await medical.Client.MarkSeriouslyIllAsync(Mark(survivor, Since.AddDays(3)));
        await medical.Client.RecordWeeklyHealthReportAsync(Report(survivor, Since.AddDays(9))); // survivor's report due at +16
        await medical.Client.MarkSeriouslyIllAsync(Mark(merged, Since)); // merged's first report due at +7: overdue first
        await medical.Client.RecordWeeklyHealthReportAsync(Report(merged, Since.AddDays(2), HealthState.Critical)); // moves it to +9

        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-X", MergedCaseId = merged, MergedCaseNumber = "RC-Y", Reason = "same man", MergedAt = Since.AddDays(20),
        });

        var moved = await medical.Events.WaitForAsync<WeeklyReportClockMerged>(e => e.SurvivorCaseId == survivor, "the clock re-published on the survivor");
        Assert.Equal((merged, Since, Since.AddDays(9)), (moved.MergedCaseId, moved.SeriouslyIllSince, moved.NextReportDueAt));
        var survivorVersion = await medical.QueryAsync(db => db.Records.Where(r => r.CaseId == survivor).Select(r => r.Version).SingleAsync());
        var mergedVersion = await medical.QueryAsync(db => db.Records.Where(r => r.CaseId == merged).Select(r => r.Version).SingleAsync());
        Assert.Equal((survivorVersion, mergedVersion), (moved.SurvivorRecordVersion, moved.MergedRecordVersion));
        Assert.True(moved.MergedRecordVersion > medical.Events.Of<WeeklyHealthReportRecorded>().Where(e => e.CaseId == merged).Max(e => e.RecordVersion));

        var summary = await SummaryAsync(survivor);
        Assert.Equal((MedicalStatus.SeriouslyIll, Since), (summary.Status, summary.SeriouslyIllSince.ToDateTimeOffset()));
        var reports = await medical.Client.ListWeeklyHealthReportsAsync(new ListWeeklyHealthReportsRequest { CaseId = survivor.ToString(), PageSize = 10 });
        Assert.Equal([HealthState.Critical, HealthState.Stable], reports.Reports.Select(r => r.State));
        Assert.Equal(Since.AddDays(9), reports.NextReportDueBy.ToDateTimeOffset());
        Assert.Null((await SummaryAsync(merged)).SeriouslyIllSince);

        // The merged record takes nothing more; unmarking the survivor ends both spells it now holds.
        var refused = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordWeeklyHealthReportAsync(Report(merged, Since.AddDays(10))).ResponseAsync);
        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{merged}");
        var unmarkMerged = await Assert.ThrowsAsync<RpcException>(() => medical.Client.UnmarkSeriouslyIllAsync(Unmark(merged, Since.AddDays(10))).ResponseAsync);
        RpcAssert.RuleViolation(unmarkMerged, "CASE_MERGED", $"cases/{merged}");
        await medical.Client.UnmarkSeriouslyIllAsync(Unmark(survivor, Since.AddDays(25)));
        Assert.Equal(0, await medical.QueryAsync(db => db.SeriousIllnesses.CountAsync(i => (i.CaseId == survivor || i.CaseId == merged) && i.Until == null)));
    }

    [Fact]
    public async Task A_merge_of_a_record_never_marked_publishes_no_clock()
    {
        var survivor = await RegisteredAsync("RC-X");
        var merged = await RegisteredAsync("RC-Y");
        await medical.Client.MarkSeriouslyIllAsync(Mark(survivor));

        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-X", MergedCaseId = merged, MergedCaseNumber = "RC-Y", Reason = "same man", MergedAt = Since.AddDays(20),
        });
        await Eventually.TrueAsync(async () => (await SummaryAsync(merged)).Status == MedicalStatus.Merged, TimeSpan.FromSeconds(60), "the merge applied");

        await Task.Delay(3000); // the outbox polls every 2 s
        Assert.DoesNotContain(medical.Events.Of<WeeklyReportClockMerged>(), e => e.SurvivorCaseId == survivor);
        Assert.Equal((MedicalStatus.SeriouslyIll, Since), ((await SummaryAsync(survivor)).Status, (await SummaryAsync(survivor)).SeriouslyIllSince.ToDateTimeOffset()));
    }
}
