using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// What reaches intake over the bus from another system: an instant with any UTC offset is the same instant
/// (stored as UTC), so a correct event is applied the first time, never parked for its offset.
/// </summary>
public sealed class EventBoundaryTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task A_transfer_dated_with_a_utc_offset_is_applied_as_the_same_instant()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        // 12:30 at +02:00 (Kyiv in winter) is 10:30 UTC.
        var utc = new DateTimeOffset(2025, 1, 20, 10, 30, 0, TimeSpan.Zero);

        await RawBusMessage.PublishAsync(intake.Broker, "Registry.Contracts:CustodyTransferred", NewId.NextGuid(), new JsonObject
        {
            ["caseId"] = registered.CaseId,
            ["transferredAt"] = "2025-01-20T12:30:00+02:00",
            ["fromFacility"] = "SBU, Kyiv",
            ["toFacility"] = "POW camp, Lviv region",
        });

        var card = await Eventually.GetAsync(
            () => intake.QueryAsync(db => db.CaptureCards.SingleOrDefaultAsync(c => c.CaseId == caseId && c.Reason == CaptureCardReason.Transfer)),
            TimeSpan.FromSeconds(30), "the transfer's capture card");
        Assert.Equal(utc, card.OccurredAt);
        Assert.Equal(TimeSpan.Zero, card.OccurredAt.Offset);
        Assert.Equal(utc.AddDays(7), card.DueAt);
        var notification = await intake.QueryAsync(db => db.Notifications.SingleAsync(n => n.CaseId == caseId && n.Kind == NotificationKind.Transfer));
        Assert.Contains("on 2025-01-20", notification.Summary);
        Assert.Equal(0, await intake.Infrastructure.QueueDepthAsync(intake.Broker, "intake-custody-transferred_error"));
    }

    [Fact]
    public async Task A_transfer_dated_at_a_placeholder_instant_is_refused_once_and_owes_nothing()
    {
        // 9999-12-31 is no date: a week after it cannot be represented, so no retry could ever apply it.
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        var messageId = NewId.NextGuid();

        await RawBusMessage.PublishAsync(intake.Broker, "Registry.Contracts:CustodyTransferred", messageId, new JsonObject
        {
            ["caseId"] = registered.CaseId,
            ["transferredAt"] = "9999-12-31T12:00:00Z",
            ["toFacility"] = "POW camp, Lviv region",
        });

        var headers = await Eventually.GetAsync(
            () => intake.Infrastructure.PeekHeadersAsync(intake.Broker, "intake-custody-transferred_error", messageId),
            TimeSpan.FromSeconds(30), "the transfer refused into the error queue");
        Assert.False(headers.TryGetValue("MT-Fault-RetryCount", out var retries) && retries != "0", $"retried {retries} times");
        Assert.Contains("9999-12-31", headers["MT-Fault-Message"]);
        Assert.False(await intake.QueryAsync(db => db.CaptureCards.AnyAsync(c => c.CaseId == caseId && c.Reason == CaptureCardReason.Transfer)));
    }
}
