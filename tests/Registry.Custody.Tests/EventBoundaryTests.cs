using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

/// <summary>
/// What reaches custody over the bus from another system: an instant with a UTC offset is applied as the
/// same instant; an event that can never be applied (its content breaks what the store can hold) goes to
/// the error queue after one attempt with the reason named, instead of being retried first.
/// </summary>
public sealed class EventBoundaryTests(ImpatientCustodyFixture custody) : IClassFixture<ImpatientCustodyFixture>
{
    private const string Queue = "custody-case-registered";

    private static JsonObject Registered(Guid caseId, string capturedAt, string capturePlace = "Kursk region") => new()
    {
        ["caseId"] = caseId.ToString(),
        ["caseNumber"] = "RC-000031",
        ["familyName"] = "백",
        ["givenNames"] = "광순",
        ["capturedAt"] = capturedAt,
        ["capturePlace"] = capturePlace,
        ["capturingAgency"] = "UA-SSO",
        ["registeredAt"] = "2025-01-11T10:00:00+03:00",
    };

    [Fact]
    public async Task A_capture_dated_with_a_utc_offset_opens_the_record_at_the_same_instant()
    {
        var caseId = Guid.NewGuid();

        await RawBusMessage.PublishAsync(custody.Broker, "Registry.Contracts:CaseRegistered", NewId.NextGuid(),
            Registered(caseId, "2025-01-11T09:30:00+03:00"));

        var record = await Eventually.GetAsync(() => custody.QueryAsync(db => db.Records.SingleOrDefaultAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the custody record");
        Assert.Equal(new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero), record.CapturedAt);
        Assert.Equal(TimeSpan.Zero, record.CapturedAt.Offset);
        var captured = await custody.QueryAsync(db => db.Events.SingleAsync(e => e.CaseId == caseId && e.Kind == CustodyEventKind.Captured));
        Assert.Equal(record.CapturedAt, captured.OccurredAt);
    }

    [Fact]
    public async Task An_event_the_store_can_never_hold_is_refused_once_with_its_reason_and_the_queue_flows_on()
    {
        var caseId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var place = new string('x', CustodyRecord.PlaceMaxLength + 1);

        await RawBusMessage.PublishAsync(custody.Broker, "Registry.Contracts:CaseRegistered", messageId,
            Registered(caseId, "2025-01-11T06:30:00Z", place));
        var next = Guid.NewGuid();
        await RawBusMessage.PublishAsync(custody.Broker, "Registry.Contracts:CaseRegistered", NewId.NextGuid(),
            Registered(next, "2025-01-11T06:30:00Z"));

        var headers = await Eventually.GetAsync(() => custody.Infrastructure.PeekHeadersAsync(custody.Broker, Queue + "_error", messageId),
            TimeSpan.FromSeconds(60), "the event to be refused into the error queue");
        // Refused at the first attempt: no retries in place (they could not have helped).
        Assert.False(headers.TryGetValue("MT-Fault-RetryCount", out var retries) && retries != "0", $"retried {retries} times");
        Assert.Equal(typeof(MessageRefusedException).FullName, headers["MT-Fault-ExceptionType"]);
        Assert.Contains("can never be applied", headers["MT-Fault-Message"]);
        Assert.Contains("22001", headers["MT-Fault-Message"]);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == next)),
            TimeSpan.FromSeconds(30), "the next event applied");
        Assert.False(await custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)));
        Assert.Equal(0, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == messageId)));
    }

    [Theory]
    [InlineData("capturedAt", "yesterday", "yesterday")]
    // No offset: it would be read in the host's own time zone.
    [InlineData("capturedAt", "2025-01-11T06:30:00", "2025-01-11T06:30:00")]
    [InlineData("capturedAt", "2025-01-11", "2025-01-11")]
    // Placeholders, not dates: they would overflow the Convention's clocks or be stored as -infinity.
    [InlineData("capturedAt", "0001-01-01T00:00:00Z", "0001-01-01")]
    [InlineData("capturedAt", "9999-12-31T23:59:59Z", "9999-12-31")]
    [InlineData("capturePlace", null, "capturePlace")]
    public async Task An_event_that_is_not_the_contracts_json_is_refused_once_with_its_reason(string field, string? value, string named)
    {
        var caseId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var body = Registered(caseId, "2025-01-11T06:30:00Z");
        if (value is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field] = value;
        }

        await RawBusMessage.PublishAsync(custody.Broker, "Registry.Contracts:CaseRegistered", messageId, body);
        var next = Guid.NewGuid();
        await RawBusMessage.PublishAsync(custody.Broker, "Registry.Contracts:CaseRegistered", NewId.NextGuid(), Registered(next, "2025-01-11T06:30:00Z"));

        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == next)),
            TimeSpan.FromSeconds(30), "the next event applied");
        var headers = await Eventually.GetAsync(() => custody.Infrastructure.PeekHeadersAsync(custody.Broker, Queue + "_error", messageId),
            TimeSpan.FromSeconds(30), "the refused event in the error queue");
        Assert.False(headers.TryGetValue("MT-Fault-RetryCount", out var retries) && retries != "0", $"retried {retries} times");
        Assert.Equal(typeof(System.Text.Json.JsonException).FullName, headers["MT-Fault-ExceptionType"]);
        Assert.Contains(named, headers["MT-Fault-Message"]);
        Assert.False(await custody.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)));
    }

    [Fact]
    public async Task The_store_keeps_an_instant_given_with_an_offset_as_the_same_instant_in_utc()
    {
        // Whatever path an instant takes into a handler, the store writes and compares it as UTC.
        var caseId = Guid.NewGuid();
        var kyiv = new DateTimeOffset(2025, 1, 11, 8, 30, 0, TimeSpan.FromHours(2));
        await custody.QueryAsync(async db =>
        {
            var (record, captured) = CustodyRecord.Open(caseId, "RC-000032", kyiv, "Kursk region", "UA-SSO", kyiv.AddHours(1));
            db.Records.Add(record);
            db.Events.Add(captured);
            return await db.SaveChangesAsync();
        });

        var stored = await custody.QueryAsync(db => db.Records.AsNoTracking().SingleAsync(r => r.CaseId == caseId && r.CapturedAt == kyiv));
        Assert.Equal(kyiv, stored.CapturedAt);
        Assert.Equal(TimeSpan.Zero, stored.CapturedAt.Offset);
    }
}
