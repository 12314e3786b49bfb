using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Registry.Protos.Intake.V1;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// Issue #4's "done when", through the gateway against the services as processes: the seed story's two
/// men registered as the article describes them, one under another man's document and then corrected,
/// a second agency's registration flagged and merged, capture cards overdue after a week, and the
/// ICRC's feed delivering every notification once across a reconnect.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RegisterOfPersonsTests(RegistryFixture registry)
{
    private IntakeService.IntakeServiceClient Intake => new(registry.GatewayChannel);

    private static DateTime Deadline => RegistryFixture.CallDeadline;

    [Fact]
    public async Task The_seed_story_from_capture_to_the_ICRC_feed()
    {
        // Registered by the capturing unit: the rifleman under the document he carried, the sniper in his own words.
        var rifleman = (await Intake.RegisterCaptureAsync(SeedStory.RiflemanFromDocument($"AB-{Guid.NewGuid():N}"[..10]), deadline: Deadline)).Case;
        var sniper = (await Intake.RegisterCaptureAsync(SeedStory.SniperStated(), deadline: Deadline)).Case;
        Assert.Equal(("Kim", "RU"), (rifleman.Identity.FamilyNameLatin, rifleman.Identity.Nationality));
        Assert.Equal((1999, "sniper-reconnaissance", 2016), (sniper.Identity.DateOfBirth.Year, sniper.Identity.Role, sniper.Identity.InServiceSince.Year));

        // The document was another man's: corrected from his own statement; both claims stay in the history.
        rifleman = (await Intake.UpdateIdentityAsync(new UpdateIdentityRequest
        {
            CaseId = rifleman.CaseId,
            Identity = SeedStory.RiflemanOwnStatement(),
            UpdateMask = FieldMask.FromString("family_name,given_names,family_name_latin,given_names_latin,date_of_birth,place_of_birth,nationality,role,in_service_since,languages"),
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "the identity card belongs to another man" },
            Revision = rifleman.Revision,
        }, deadline: Deadline)).Case;
        Assert.Equal(("리", "Ri", 2005, "KP"), (rifleman.Identity.FamilyName, rifleman.Identity.FamilyNameLatin, rifleman.Identity.DateOfBirth.Year, rifleman.Identity.Nationality));
        var history = (await Intake.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = rifleman.CaseId, PageSize = 100 }, deadline: Deadline))
            .Assertions.Where(a => a.Field == "family_name_latin").ToList();
        Assert.Equal(2, history.Count);
        Assert.Equal(("Kim", SourceKind.Document, "military identity card", false), (history[0].Value, history[0].Source.Kind, history[0].Source.DocumentType, history[0].Current));
        Assert.Equal(("Ri", SourceKind.StatedByPerson, true), (history[1].Value, history[1].Source.Kind, history[1].Current));

        // The security service registers the same man: flagged as a duplicate, then merged into the first case.
        var second = await Intake.RegisterCaptureAsync(SeedStory.RiflemanBySecurityService(), deadline: Deadline);
        var candidate = Assert.Single(second.DuplicateCandidates, d => d.OtherCaseId == rifleman.CaseId);
        Assert.Contains(candidate.Reasons, r => r.StartsWith("date_of_birth same as far as known", StringComparison.Ordinal));
        var merge = await Intake.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = rifleman.CaseId, SurvivorRevision = rifleman.Revision,
            MergedCaseId = second.Case.CaseId, MergedRevision = second.Case.Revision,
            Reason = "the same man: same statement, same facility",
        }, deadline: Deadline);
        Assert.Equal(rifleman.CaseId, merge.Merged.MergedIntoCaseId);
        Assert.Equal(rifleman.CaseId, (await Intake.GetCaseAsync(new GetCaseRequest { CaseId = second.Case.CaseId })).Case.MergedIntoCaseId);

        // Both are found by name in either script.
        Assert.Contains(rifleman.CaseId, (await Intake.SearchCasesAsync(new SearchCasesRequest { Name = "jong hyok", PageSize = 500 })).Cases.Select(c => c.CaseId));
        Assert.Contains(sniper.CaseId, (await Intake.SearchCasesAsync(new SearchCasesRequest { Name = "광순", PageSize = 500 })).Cases.Select(c => c.CaseId));

        // A week after registration (which counts as admission until custody reports one), both cards are overdue.
        // The services run as processes whose clock a test cannot move, so the test asks as of a week later;
        // the clock itself is tested in-process with a fake TimeProvider (Registry.Intake.Tests.DeadlineTests).
        var weekLater = Timestamp.FromDateTimeOffset(sniper.RegisteredAt.ToDateTimeOffset().AddDays(7).AddHours(1));
        var lateCards = await OverdueCardsAsync(weekLater);
        Assert.Contains(rifleman.CaseId, lateCards);
        Assert.Contains(sniper.CaseId, lateCards);
        Assert.DoesNotContain(second.Case.CaseId, lateCards); // withdrawn by the merge
        Assert.DoesNotContain(sniper.CaseId, await OverdueCardsAsync(Timestamp.FromDateTimeOffset(sniper.RegisteredAt.ToDateTimeOffset().AddDays(6))));
        var card = (await Intake.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = sniper.CaseId }, deadline: Deadline)).CaptureCard;
        Assert.Equal(("백", "Paek", 1999), (card.Content.FamilyName, card.Content.FamilyNameLatin, card.Content.DateOfBirth.Year));
        Assert.DoesNotContain(sniper.CaseId, await OverdueCardsAsync(weekLater));

        // The ICRC follows the feed, hangs up half way, resumes from its cursor: every notification once.
        var ours = new HashSet<string> { rifleman.CaseId, sniper.CaseId, second.Case.CaseId };
        bool Complete(IEnumerable<Notification> read) =>
            read.Count(n => ours.Contains(n.CaseId) && n.Kind == NotificationKind.Registration) == 3
            && read.Any(n => n.CaseId == rifleman.CaseId && n.Kind == NotificationKind.IdentityCorrection)
            && read.Any(n => n.CaseId == rifleman.CaseId && n.Kind == NotificationKind.CasesMerged)
            && read.Any(n => n.CaseId == sniper.CaseId && n.Kind == NotificationKind.CaptureCard);

        var firstPart = await ReadFeedAsync("", read => read.Any(n => ours.Contains(n.CaseId)));
        var rest = await ReadFeedAsync(firstPart[^1].Cursor, read => Complete(firstPart.Concat(read)));
        var all = firstPart.Concat(rest).ToList();
        Assert.True(Complete(all));
        Assert.Equal(all.Count, all.Select(n => n.NotificationId).Distinct().Count());
        Assert.Equal(all.Select(n => long.Parse(n.Cursor)).Order(), all.Select(n => long.Parse(n.Cursor)));
        var correction = all.Single(n => n.CaseId == rifleman.CaseId && n.Kind == NotificationKind.IdentityCorrection);
        Assert.Equal("Ri", correction.Case.Identity.FamilyNameLatin);

        // Read is not received: two days on, what the ICRC read after its resume cursor is still overdue
        // (Art. 122) until it acknowledges it, through the gateway like every other call.
        var twoDaysLater = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(49));
        var unacknowledged = rest.First(n => ours.Contains(n.CaseId)).NotificationId;
        Assert.Contains(unacknowledged, await OverdueNotificationsAsync(twoDaysLater));
        var acknowledged = await Intake.AcknowledgeNotificationsAsync(new AcknowledgeNotificationsRequest { Cursor = all[^1].Cursor }, deadline: Deadline);
        Assert.True(long.Parse(acknowledged.AcknowledgedThrough) >= long.Parse(all[^1].Cursor));
        var stillOverdue = await OverdueNotificationsAsync(twoDaysLater);
        Assert.DoesNotContain(all, n => ours.Contains(n.CaseId) && stillOverdue.Contains(n.NotificationId));
    }

    private async Task<HashSet<string>> OverdueNotificationsAsync(Timestamp asOf)
    {
        var notifications = new HashSet<string>();
        var token = "";
        do
        {
            var page = await Intake.ListOverdueAsync(new ListOverdueRequest { AsOf = asOf, PageSize = 500, PageToken = token }, deadline: Deadline);
            notifications.UnionWith(page.Items.Where(i => i.Kind == OverdueKind.Notification).Select(i => i.NotificationId));
            token = page.NextPageToken;
        }
        while (token != "");

        return notifications;
    }

    private async Task<List<string>> OverdueCardsAsync(Timestamp asOf)
    {
        var cases = new List<string>();
        var token = "";
        do
        {
            var page = await Intake.ListOverdueAsync(new ListOverdueRequest { AsOf = asOf, PageSize = 500, PageToken = token }, deadline: Deadline);
            cases.AddRange(page.Items.Where(i => i.Kind == OverdueKind.CaptureCard).Select(i => i.CaseId));
            token = page.NextPageToken;
        }
        while (token != "");

        return cases;
    }

    private async Task<List<Notification>> ReadFeedAsync(string cursor, Func<List<Notification>, bool> enough)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = Intake.StreamNotifications(new StreamNotificationsRequest { Cursor = cursor }, cancellationToken: timeout.Token);
        var read = new List<Notification>();
        while (!enough(read) && await call.ResponseStream.MoveNext(timeout.Token))
        {
            read.Add(call.ResponseStream.Current.Notification);
        }

        return read;
    }
}
