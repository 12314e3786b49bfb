using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// A notification to the ICRC counts as delivered (GC III Art. 122) when the ICRC acknowledges it, by
/// AcknowledgeNotifications or by resuming the feed after it, not when it was written into the stream.
/// Time is moved by the test, so that ListOverdue (48 hours) can tell.
/// </summary>
public sealed class NotificationAcknowledgementTests(ClockedIntakeFixture intake) : IClassFixture<ClockedIntakeFixture>
{
    private static readonly TimeSpan PastDue = TimeSpan.FromHours(49);

    private async Task<List<OverdueItem>> OverdueNotificationsAsync(string caseId, DateTimeOffset? asOf = null)
    {
        var items = new List<OverdueItem>();
        var token = "";
        do
        {
            var page = await intake.Client.ListOverdueAsync(new ListOverdueRequest
            {
                AsOf = asOf is { } at ? Timestamp.FromDateTimeOffset(at) : null, PageSize = 500, PageToken = token,
            });
            items.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token != "");

        return items.Where(i => i.CaseId == caseId && i.Kind == OverdueKind.Notification).ToList();
    }

    /// <summary>Reads the feed from <paramref name="cursor"/> until <paramref name="enough"/> holds for what was read, then hangs up.</summary>
    private async Task<List<Notification>> ReadAsync(string cursor, Func<List<Notification>, bool> enough)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = intake.Client.StreamNotifications(new StreamNotificationsRequest { Cursor = cursor }, cancellationToken: timeout.Token);
        var read = new List<Notification>();
        while (!enough(read) && await call.ResponseStream.MoveNext(timeout.Token))
        {
            read.Add(call.ResponseStream.Current.Notification);
        }

        return read;
    }

    /// <summary>The cursor of the feed's last notification (registering one, so that there is one).</summary>
    private async Task<string> LatestCursorAsync()
    {
        var seed = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId;
        return (await ReadAsync("", read => read.Any(n => n.CaseId == seed)))[^1].Cursor;
    }

    private async Task<string> RegisterAsync() => (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId;

    private Task<AcknowledgeNotificationsResponse> AcknowledgeAsync(string cursor) =>
        intake.Client.AcknowledgeNotificationsAsync(new AcknowledgeNotificationsRequest { Cursor = cursor }).ResponseAsync;

    [Fact]
    public async Task A_notification_written_to_a_reader_that_hung_up_without_reading_stays_overdue_until_the_ICRC_acknowledges_it()
    {
        var latest = await LatestCursorAsync();
        string caseId;
        using (intake.Client.StreamNotifications(new StreamNotificationsRequest { Cursor = latest }))
        {
            caseId = await RegisterAsync();
            // The reader hung up after 300 ms; a full second lets a loaded machine write the notification out.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        intake.Clock.Advance(PastDue);
        var late = Assert.Single(await OverdueNotificationsAsync(caseId));
        Assert.Equal("Registration", late.Reason);

        // Reading it is not acknowledging it either: only the reader can say it arrived.
        var cursor = (await ReadAsync(latest, read => read.Any(n => n.CaseId == caseId))).Single(n => n.CaseId == caseId).Cursor;
        Assert.Single(await OverdueNotificationsAsync(caseId));

        var acknowledged = await AcknowledgeAsync(cursor);

        Assert.Equal(1, acknowledged.AcknowledgedCount);
        Assert.Equal(cursor, acknowledged.AcknowledgedThrough);
        Assert.Equal(intake.Clock.GetUtcNow(), acknowledged.AcknowledgedAt.ToDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Empty(await OverdueNotificationsAsync(caseId));
        // It was delivered when acknowledged: looking back to a minute before, it was late then.
        Assert.Single(await OverdueNotificationsAsync(caseId, intake.Clock.GetUtcNow().AddMinutes(-1)));
    }

    [Fact]
    public async Task Resuming_the_feed_after_a_cursor_acknowledges_every_notification_up_to_it_and_none_after()
    {
        var latest = await LatestCursorAsync();
        var first = await RegisterAsync();
        var second = await RegisterAsync();
        var read = await ReadAsync(latest, r => r.Any(n => n.CaseId == second));
        var firstCursor = read.Single(n => n.CaseId == first).Cursor;
        intake.Clock.Advance(PastDue);
        Assert.Single(await OverdueNotificationsAsync(first));
        Assert.Single(await OverdueNotificationsAsync(second));

        // The reader got both, hung up, and says on its return that it has the first.
        var resumed = await ReadAsync(firstCursor, r => r.Any(n => n.CaseId == second));

        Assert.DoesNotContain(resumed, n => n.CaseId == first);
        Assert.Single(resumed, n => n.CaseId == second);
        Assert.Empty(await OverdueNotificationsAsync(first));
        Assert.Single(await OverdueNotificationsAsync(second));
        Assert.Single(await OverdueNotificationsAsync(first, intake.Clock.GetUtcNow().AddMinutes(-1)));
    }

    [Fact]
    public async Task Acknowledging_is_idempotent_and_monotonic_and_keeps_the_first_acknowledgements_time()
    {
        var latest = await LatestCursorAsync();
        var first = await RegisterAsync();
        var second = await RegisterAsync();
        var read = await ReadAsync(latest, r => r.Any(n => n.CaseId == second));
        var (firstCursor, secondCursor) = (read.Single(n => n.CaseId == first).Cursor, read.Single(n => n.CaseId == second).Cursor);
        intake.Clock.Advance(PastDue);
        var acknowledgedAt = intake.Clock.GetUtcNow();

        // Several copies at once (a retry racing its first try): between them, each notification is acknowledged once.
        var copies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => AcknowledgeAsync(secondCursor)));

        Assert.Equal(2, copies.Sum(c => c.AcknowledgedCount));
        Assert.All(copies, c => Assert.Equal(secondCursor, c.AcknowledgedThrough));
        intake.Clock.Advance(TimeSpan.FromHours(1));
        var again = await AcknowledgeAsync(secondCursor);
        Assert.Equal((0L, secondCursor, (Timestamp?)null), (again.AcknowledgedCount, again.AcknowledgedThrough, again.AcknowledgedAt));
        var older = await AcknowledgeAsync(firstCursor);
        Assert.Equal((0L, secondCursor, (Timestamp?)null), (older.AcknowledgedCount, older.AcknowledgedThrough, older.AcknowledgedAt));
        await ReadAsync(firstCursor, r => r.Any(n => n.CaseId == second)); // a resume from the older cursor: nothing either

        Assert.Empty(await OverdueNotificationsAsync(first));
        Assert.Empty(await OverdueNotificationsAsync(second));
        // Delivered at the first acknowledgement, not at a repeat an hour later.
        Assert.Single(await OverdueNotificationsAsync(second, acknowledgedAt.AddMinutes(-1)));
        Assert.Empty(await OverdueNotificationsAsync(second, acknowledgedAt.AddMinutes(1)));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("not a number")]
    [InlineData("negative")]
    [InlineData("zero")]
    [InlineData("with a space")]
    [InlineData("with leading zeros")]
    [InlineData("just beyond the end")]
    [InlineData("far beyond the end")]
    [InlineData("beyond a long")]
    public async Task A_cursor_that_names_no_notification_is_refused_naming_the_cursor_and_acknowledges_nothing(string spoiler)
    {
        var latest = await LatestCursorAsync();
        var caseId = await RegisterAsync();
        var last = long.Parse((await ReadAsync(latest, r => r.Any(n => n.CaseId == caseId))).Single(n => n.CaseId == caseId).Cursor);
        var cursor = spoiler switch
        {
            "empty" => "",
            "not a number" => "abc",
            "negative" => "-1",
            "zero" => "0",
            "with a space" => $" {last}",
            "with leading zeros" => $"00{last}", // names the notification to a reader of numbers, but no cursor the feed gave
            "just beyond the end" => (last + 1).ToString(),
            "far beyond the end" => long.MaxValue.ToString(),
            "beyond a long" => "99999999999999999999",
            _ => throw new ArgumentOutOfRangeException(nameof(spoiler)),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => AcknowledgeAsync(cursor));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("cursor", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        intake.Clock.Advance(PastDue);
        Assert.Single(await OverdueNotificationsAsync(caseId));
    }

    [Fact]
    public async Task Resuming_the_feed_after_a_cursor_beyond_its_end_is_refused_and_acknowledges_nothing()
    {
        var latest = await LatestCursorAsync();
        var caseId = await RegisterAsync();
        var last = long.Parse((await ReadAsync(latest, r => r.Any(n => n.CaseId == caseId))).Single(n => n.CaseId == caseId).Cursor);

        // Such a reader would otherwise wait silently and later skip the notifications that take those places.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var call = intake.Client.StreamNotifications(new StreamNotificationsRequest { Cursor = (last + 5).ToString() }, cancellationToken: timeout.Token);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(timeout.Token));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("cursor", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        intake.Clock.Advance(PastDue);
        Assert.Single(await OverdueNotificationsAsync(caseId));
    }
}
