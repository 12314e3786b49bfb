using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// The weekly health reports of the seriously ill or wounded (GC III Art. 122) in the Bureau's one overdue view: medical's
/// clock events in, an overdue item out at the right due time, gone after a report or an unmark; an older version
/// delivered late changes nothing; one order and exact paging across capture cards, notifications and weekly reports;
/// a merged case's clock shown on the survivor and left as one clock once medical re-publishes it.
/// </summary>
public sealed class WeeklyReportOverdueTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private async Task<List<OverdueItem>> WeeklyAsync(string caseId, DateTimeOffset asOf) =>
        (await AllOverdueAsync(asOf, 500)).Where(i => i.Kind == OverdueKind.WeeklyHealthReport && i.CaseId == caseId).ToList();

    private async Task<List<OverdueItem>> AllOverdueAsync(DateTimeOffset asOf, int pageSize)
    {
        var items = new List<OverdueItem>();
        var token = "";
        do
        {
            var page = await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = Timestamp.FromDateTimeOffset(asOf), PageSize = pageSize, PageToken = token });
            Assert.True(page.Items.Count <= pageSize);
            items.AddRange(page.Items);
            token = page.NextPageToken;
            Assert.True(items.Count < 10_000, "the pages never end: a page token repeats a position");
        }
        while (token != "");
        return items;
    }

    private Task ClockAtAsync(Guid caseId, long version) =>
        Eventually.TrueAsync(() => intake.QueryAsync(db => db.WeeklyReportClocks.AnyAsync(c => c.CaseId == caseId && c.RecordVersion == version)),
            TimeSpan.FromSeconds(30), $"the clock of {caseId} at version {version}");

    private Task<int> StateOfHealthNotificationsAsync(Guid caseId) =>
        intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == Registry.Intake.Domain.NotificationKind.StateOfHealth));

    private async Task<(string Id, Guid Guid)> RegisteredAsync()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;
        return (registered.CaseId, Guid.Parse(registered.CaseId));
    }

    private static readonly DateTimeOffset Since = DateTimeOffset.UtcNow.AddDays(-3).ToMicroseconds();

    [Fact]
    public async Task A_marked_person_owes_a_report_a_week_later_a_report_moves_it_and_an_unmark_ends_it()
    {
        var (id, caseId) = await RegisteredAsync();

        await intake.Bus.Publisher.Publish(new SeriouslyIllMarked { CaseId = caseId, Since = Since, NextReportDueAt = Since.AddDays(7), RecordVersion = 3 });
        await ClockAtAsync(caseId, 3);

        Assert.Empty(await WeeklyAsync(id, Since.AddDays(7).AddMinutes(-1)));
        var late = Assert.Single(await WeeklyAsync(id, Since.AddDays(7).AddHours(5)));
        Assert.Equal((Since.AddDays(7), TimeSpan.FromHours(5)), (late.DueAt.ToDateTimeOffset(), late.OverdueBy.ToTimeSpan()));
        Assert.Equal(("seriously ill or wounded", "RC-"), (late.Reason, late.CaseNumber[..3]));

        await intake.Bus.Publisher.Publish(new WeeklyHealthReportRecorded
        {
            CaseId = caseId, ReportId = Guid.NewGuid(), ReportedAt = Since.AddDays(6), State = "Deteriorating", NextReportDueAt = Since.AddDays(13), RecordVersion = 4,
        });
        await ClockAtAsync(caseId, 4);
        Assert.Empty(await WeeklyAsync(id, Since.AddDays(7).AddHours(5)));
        Assert.Equal(Since.AddDays(13), Assert.Single(await WeeklyAsync(id, Since.AddDays(14))).DueAt.ToDateTimeOffset());

        await intake.Bus.Publisher.Publish(new SeriouslyIllUnmarked { CaseId = caseId, Until = Since.AddDays(10), RecordVersion = 5 });
        await ClockAtAsync(caseId, 5);
        Assert.Empty(await WeeklyAsync(id, Since.AddDays(100)));

        // The ICRC is told each fact (Art. 122), with the state of health and nothing clinical.
        var told = await intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == caseId && n.Kind == Registry.Intake.Domain.NotificationKind.StateOfHealth)
            .OrderBy(n => n.Id).Select(n => n.Summary).ToListAsync());
        Assert.Equal(3, told.Count);
        Assert.StartsWith("Seriously ill or wounded", told[0]);
        Assert.EndsWith(": deteriorating.", told[1]);
        Assert.StartsWith("No longer seriously ill or wounded", told[2]);
    }

    [Fact]
    public async Task An_older_version_delivered_late_changes_nothing_and_a_stop_at_death_tells_the_icrc_nothing_more()
    {
        var (id, caseId) = await RegisteredAsync();
        await intake.Bus.Publisher.Publish(new WeeklyHealthReportRecorded
        {
            CaseId = caseId, ReportId = Guid.NewGuid(), ReportedAt = Since.AddDays(6), State = "Stable", NextReportDueAt = Since.AddDays(13), RecordVersion = 4,
        });
        await ClockAtAsync(caseId, 4);

        // The mark (version 3) arrives after the report it preceded: its earlier due time does not come back.
        await intake.Bus.Publisher.Publish(new SeriouslyIllMarked { CaseId = caseId, Since = Since, NextReportDueAt = Since.AddDays(7), RecordVersion = 3 });
        await Eventually.TrueAsync(async () => await StateOfHealthNotificationsAsync(caseId) == 2, TimeSpan.FromSeconds(30), "the mark applied");
        Assert.Empty(await WeeklyAsync(id, Since.AddDays(8)));
        Assert.Single(await WeeklyAsync(id, Since.AddDays(14)));

        await intake.Bus.Publisher.Publish(new SeriouslyIllUnmarked { CaseId = caseId, Until = Since.AddDays(9), Died = true, RecordVersion = 6 });
        await ClockAtAsync(caseId, 6);
        // A report entered before the death (version 5) delivered after the stop does not start the clock again.
        await intake.Bus.Publisher.Publish(new WeeklyHealthReportRecorded
        {
            CaseId = caseId, ReportId = Guid.NewGuid(), ReportedAt = Since.AddDays(8), State = "Critical", NextReportDueAt = Since.AddDays(15), RecordVersion = 5,
        });
        await Eventually.TrueAsync(async () => await StateOfHealthNotificationsAsync(caseId) == 3, TimeSpan.FromSeconds(30), "the late report applied");
        Assert.Empty(await WeeklyAsync(id, Since.AddDays(100)));
        Assert.DoesNotContain(await intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == caseId).Select(n => n.Summary).ToListAsync()),
            s => s.StartsWith("No longer"));
    }

    [Fact]
    public async Task Weekly_reports_capture_cards_and_notifications_share_one_order_and_exact_paging()
    {
        var cases = new List<(string Id, Guid Guid)>();
        for (var i = 0; i < 3; i++)
        {
            cases.Add(await RegisteredAsync());
        }

        // A clock due exactly when the first case's capture card is due (a tie: card before report), one between the
        // others' clocks, one long before any.
        var asOf = DateTimeOffset.UtcNow.AddDays(30);
        var cardDue = (await AllOverdueAsync(asOf, 500)).First(i => i.Kind == OverdueKind.CaptureCard && i.CaseId == cases[0].Id).DueAt.ToDateTimeOffset();
        var dues = new[] { cardDue, cardDue.AddHours(-30), Since.AddDays(-20) };
        for (var i = 0; i < 3; i++)
        {
            await intake.Bus.Publisher.Publish(new SeriouslyIllMarked { CaseId = cases[i].Guid, Since = Since, NextReportDueAt = dues[i], RecordVersion = 2 });
        }

        foreach (var c in cases)
        {
            await ClockAtAsync(c.Guid, 2);
        }

        var whole = await AllOverdueAsync(asOf, 500);
        Assert.Equal(3, whole.Count(i => i.Kind == OverdueKind.WeeklyHealthReport && cases.Any(c => c.Id == i.CaseId)));
        Assert.Contains(whole, i => i.Kind == OverdueKind.CaptureCard);
        Assert.Contains(whole, i => i.Kind == OverdueKind.Notification);
        var keys = whole.Select(i => (i.DueAt.ToDateTimeOffset(), (int)i.Kind)).ToList();
        Assert.Equal(keys.OrderBy(k => k.Item1).ThenBy(k => k.Item2), keys);
        var tie = whole.FindIndex(i => i.Kind == OverdueKind.WeeklyHealthReport && i.CaseId == cases[0].Id);
        Assert.Equal((OverdueKind.CaptureCard, cases[0].Id), (whole[tie - 1].Kind, whole[tie - 1].CaseId));

        static string Key(OverdueItem i) => $"{i.Kind}:{i.CaseId}:{i.CaptureCardId}:{i.NotificationId}:{i.DueAt}";
        foreach (var size in new[] { 1, 2, 3 })
        {
            Assert.Equal(whole.Select(Key), (await AllOverdueAsync(asOf, size)).Select(Key));
        }
    }

    [Fact]
    public async Task A_merged_cases_clock_is_shown_on_the_survivor_and_medicals_republication_leaves_one_clock()
    {
        var survivor = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var duplicate = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var (survivorId, duplicateId) = (Guid.Parse(survivor.CaseId), Guid.Parse(duplicate.CaseId));
        await intake.Bus.Publisher.Publish(new SeriouslyIllMarked { CaseId = survivorId, Since = Since, NextReportDueAt = Since.AddDays(7), RecordVersion = 2 });
        await intake.Bus.Publisher.Publish(new SeriouslyIllMarked { CaseId = duplicateId, Since = Since.AddDays(-2), NextReportDueAt = Since.AddDays(5), RecordVersion = 2 });
        await ClockAtAsync(survivorId, 2);
        await ClockAtAsync(duplicateId, 2);

        await intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = duplicate.CaseId, MergedRevision = duplicate.Revision, Reason = "same man",
        });

        // Until medical has followed the merge, both records' clocks run, and both are the survivor's to answer for.
        var before = await WeeklyAsync(survivor.CaseId, Since.AddDays(8));
        Assert.Equal([Since.AddDays(5), Since.AddDays(7)], before.Select(i => i.DueAt.ToDateTimeOffset()));
        Assert.All(before, i => Assert.Equal(CaseNumberOf(survivor), i.CaseNumber));
        Assert.Empty(await WeeklyAsync(duplicate.CaseId, Since.AddDays(8)));

        // Medical's Absorb re-publishes one clock: the survivor's, at the earlier due time; the merged record's stops.
        await intake.Bus.Publisher.Publish(new WeeklyReportClockMerged
        {
            SurvivorCaseId = survivorId, SurvivorRecordVersion = 3, SeriouslyIllSince = Since.AddDays(-2), NextReportDueAt = Since.AddDays(5),
            MergedCaseId = duplicateId, MergedRecordVersion = 3,
        });
        await ClockAtAsync(duplicateId, 3);
        var after = Assert.Single(await WeeklyAsync(survivor.CaseId, Since.AddDays(8)));
        Assert.Equal(Since.AddDays(5), after.DueAt.ToDateTimeOffset());

        // A report of the merged record entered before medical merged (version 2 < 3), delivered now, starts nothing.
        await intake.Bus.Publisher.Publish(new WeeklyHealthReportRecorded
        {
            CaseId = duplicateId, ReportId = Guid.NewGuid(), ReportedAt = Since, State = "Stable", NextReportDueAt = Since.AddDays(7), RecordVersion = 2,
        });
        await Eventually.TrueAsync(() => intake.QueryAsync(db => db.Notifications.AnyAsync(n => n.Summary.EndsWith(": stable.") && n.CaseId == survivorId)),
            TimeSpan.FromSeconds(30), "the late report's notification, on the survivor");
        Assert.Single(await WeeklyAsync(survivor.CaseId, Since.AddDays(30)));
    }

    private static string CaseNumberOf(Case c) => c.CaseNumber;
}
