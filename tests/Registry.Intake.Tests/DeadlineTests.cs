using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>The Convention's clocks, with time moved by the test (FakeTimeProvider behind the service's TimeProvider).</summary>
public sealed class DeadlineTests(ClockedIntakeFixture intake) : IClassFixture<ClockedIntakeFixture>
{
    private async Task<List<OverdueItem>> OverdueAsync(string caseId, Timestamp? asOf = null)
    {
        var items = new List<OverdueItem>();
        var token = "";
        do
        {
            var page = await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = asOf, PageSize = 500, PageToken = token });
            items.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token != "");

        return items.Where(i => i.CaseId == caseId).ToList();
    }

    [Fact]
    public async Task A_capture_card_falls_due_seven_days_after_registration_and_issuing_it_takes_it_off_the_list()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;

        intake.Clock.Advance(TimeSpan.FromDays(6));
        Assert.DoesNotContain(await OverdueAsync(registered.CaseId), i => i.Kind == OverdueKind.CaptureCard);

        intake.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(3));
        var late = Assert.Single(await OverdueAsync(registered.CaseId), i => i.Kind == OverdueKind.CaptureCard);
        Assert.Equal(registered.RegisteredAt.ToDateTimeOffset().AddDays(7), late.DueAt.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(3), late.OverdueBy.ToTimeSpan());
        Assert.Equal("admission", late.Reason);

        var card = (await intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId })).CaptureCard;
        Assert.Equal(late.CaptureCardId, card.CaptureCardId);
        Assert.Equal(intake.Clock.GetUtcNow(), card.IssuedAt.ToDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(("KP", "백", "Chol", "Han", "KPA"), (card.Content.Power, card.Content.FamilyName, card.Content.FatherFirstName, card.Content.MotherMaidenName, card.Content.ServiceNumber[..3]));
        Assert.DoesNotContain(await OverdueAsync(registered.CaseId), i => i.Kind == OverdueKind.CaptureCard);
        // Looking back to before it was issued, it was late then.
        Assert.Contains(await OverdueAsync(registered.CaseId, Timestamp.FromDateTimeOffset(intake.Clock.GetUtcNow().AddMinutes(-1))), i => i.Kind == OverdueKind.CaptureCard);

        var again = await Assert.ThrowsAsync<RpcException>(() => intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task A_notification_not_delivered_within_48_hours_is_overdue_and_as_of_looks_ahead()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var inTwoDays = Timestamp.FromDateTimeOffset(intake.Clock.GetUtcNow().AddHours(49));

        Assert.Empty(await OverdueAsync(registered.CaseId));
        var planned = Assert.Single(await OverdueAsync(registered.CaseId, inTwoDays));
        Assert.Equal((OverdueKind.Notification, "Registration"), (planned.Kind, planned.Reason));
        Assert.Equal(TimeSpan.FromHours(1), planned.OverdueBy.ToTimeSpan());
    }

    [Fact]
    public async Task Overdue_items_are_paged_most_overdue_first_without_gaps()
    {
        var cases = new List<string>();
        for (var n = 0; n < 3; n++)
        {
            cases.Add((await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId);
            intake.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        var asOf = Timestamp.FromDateTimeOffset(intake.Clock.GetUtcNow().AddDays(8));
        var all = (await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = asOf, PageSize = 500 })).Items.ToList();
        var paged = new List<OverdueItem>();
        var token = "";
        do
        {
            var page = await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = asOf, PageSize = 2, PageToken = token });
            paged.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(all, paged);
        Assert.Equal(all.OrderBy(i => i.DueAt.ToDateTimeOffset()).Select(i => i.DueAt), all.Select(i => i.DueAt));
        Assert.All(cases, c => Assert.Equal(2, all.Count(i => i.CaseId == c)));
    }

    [Theory]
    [InlineData("page size 0", "page_size")]
    [InlineData("page size a million", "page_size")]
    [InlineData("as of beyond year 9999", "as_of")]
    [InlineData("forged page token", "page_token")]
    [InlineData("card for no case", "case_id")]
    [InlineData("cursor not a number", "cursor")]
    public async Task A_bad_clock_or_feed_request_is_refused_naming_the_field(string spoiler, string field)
    {
        Func<Task> act = spoiler switch
        {
            "page size 0" => () => intake.Client.ListOverdueAsync(new ListOverdueRequest()).ResponseAsync,
            "page size a million" => () => intake.Client.ListOverdueAsync(new ListOverdueRequest { PageSize = 1_000_000 }).ResponseAsync,
            "as of beyond year 9999" => () => intake.Client.ListOverdueAsync(new ListOverdueRequest { PageSize = 5, AsOf = new Timestamp { Seconds = 253402300800 } }).ResponseAsync,
            "forged page token" => () => intake.Client.ListOverdueAsync(new ListOverdueRequest { PageSize = 5, PageToken = "abc" }).ResponseAsync,
            "card for no case" => () => intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest()).ResponseAsync,
            "cursor not a number" => async () =>
            {
                using var call = intake.Client.StreamNotifications(new StreamNotificationsRequest { Cursor = "-1" });
                await call.ResponseStream.MoveNext(CancellationToken.None);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(spoiler)),
        };

        var error = await Assert.ThrowsAsync<RpcException>(act);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
    }
}
