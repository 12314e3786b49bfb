using Grpc.Core;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

public sealed class NotificationFeedTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
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

    [Fact]
    public async Task The_feed_delivers_every_notification_once_across_a_reconnect_even_under_concurrent_writes()
    {
        var first = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var before = await ReadAsync("", read => read.Any(n => n.CaseId == first.CaseId));
        var cursor = before[^1].Cursor;

        // While nobody listens, many writers at once: their notifications must all be there, in order, once.
        var written = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ => (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case.CaseId));
        var after = await ReadAsync(cursor, read => written.All(id => read.Any(n => n.CaseId == id)));

        var all = before.Concat(after).ToList();
        Assert.Equal(all.Count, all.Select(n => n.NotificationId).Distinct().Count());
        Assert.Equal(all.Select(n => long.Parse(n.Cursor)).Order(), all.Select(n => long.Parse(n.Cursor)));
        Assert.All(written, id => Assert.Single(after, n => n.CaseId == id && n.Kind == NotificationKind.Registration));
        var registration = after.First(n => n.CaseId == written[0]);
        Assert.Equal("백", registration.Case.Identity.FamilyName);
        Assert.Contains("Registered", registration.Summary);
    }

    [Fact]
    public async Task A_listening_feed_gets_a_new_notification_as_it_happens()
    {
        var seed = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var cursor = (await ReadAsync("", read => read.Any(n => n.CaseId == seed.CaseId)))[^1].Cursor;

        var listening = ReadAsync(cursor, read => read.Any(n => n.Kind == NotificationKind.StatusChange && n.CaseId == seed.CaseId));
        await Task.Delay(200);
        await intake.Client.ChangeStatusCategoryAsync(new ChangeStatusCategoryRequest
        {
            CaseId = seed.CaseId, StatusCategory = StatusCategory.PrisonerOfWar, DecisionReference = "T5-9", DecidedBy = "tribunal",
            DecidedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)), Revision = seed.Revision,
        });

        var heard = await listening;
        var change = Assert.Single(heard, n => n.Kind == NotificationKind.StatusChange);
        Assert.Equal(StatusCategory.PrisonerOfWar, change.Case.StatusCategory);
    }

    [Fact]
    public async Task A_reader_at_the_feeds_end_gets_the_response_headers_at_once_while_nothing_comes()
    {
        var seed = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var read = await ReadAsync("", read => read.Any(n => n.CaseId == seed.CaseId));
        var end = read.Max(n => long.Parse(n.Cursor));

        // Nothing comes after the feed's end while this reader listens (no writer in this test), so without headers sent
        // at the stream's start the client would wait for them until the next notification.
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = intake.Client.StreamNotifications(new StreamNotificationsRequest { Cursor = end.ToString() }, cancellationToken: listening.Token);
        var headers = call.ResponseHeadersAsync;
        Assert.Same(headers, await Task.WhenAny(headers, Task.Delay(TimeSpan.FromSeconds(5))));
        await headers;
        listening.Cancel();
    }
}
