using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.Custody.Features.Records;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;
using static Registry.Custody.Tests.CaseRegisteredSamples;

namespace Registry.Custody.Tests;

/// <summary>
/// Custody taking CaseRegistered in batches of <see cref="BatchSize"/> (a long time limit, so a batch is delivered
/// when full), with a short retry policy, bundles of at most <see cref="BundleLimit"/> events, and every database round trip recorded.
/// </summary>
public sealed class BatchingCustodyFixture : CustodyFixture
{
    public const int BatchSize = 8;

    /// <summary>The most events the outbox puts in one bundle here (Messaging:Outbox:BundleLimit): not the batch size, so the two tell apart.</summary>
    public const int BundleLimit = 7;

    public RoundTripCounter RoundTrips { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(BatchSettings.WhenFull(BatchSize))
    {
        ["Messaging:Retry:Limit"] = "2",
        ["Messaging:Retry:MinInterval"] = "00:00:00.050",
        ["Messaging:Retry:MaxInterval"] = "00:00:00.200",
        ["Messaging:Retry:IntervalDelta"] = "00:00:00.050",
        ["Messaging:Outbox:BundleLimit"] = BundleLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<CustodyDbContext>(o => o.AddInterceptors(RoundTrips), ServiceLifetime.Singleton);
}

/// <summary>
/// Issue 15: custody opens records from CaseRegistered in batches, one transaction per batch (an import sends thousands
/// a second), and the inbox's promises hold inside a batch: each message applied once, a repeat skipped, a case
/// announced again kept as it was, and a message that can never be applied refused alone, the others acknowledged.
/// </summary>
public sealed class CaseRegisteredBatchTests(BatchingCustodyFixture custody) : IClassFixture<BatchingCustodyFixture>
{
    private const string Queue = "custody-case-registered";

    [Fact]
    public async Task A_burst_of_events_is_applied_a_batch_per_transaction()
    {
        const int count = 20 * BatchingCustodyFixture.BatchSize;
        var messages = Enumerable.Range(0, count).Select(_ => (MessageId: NewId.NextGuid(), CaseId: Guid.NewGuid())).ToList();

        await Task.WhenAll(messages.Select(m => custody.Bus.Publisher.Publish(Registered(m.CaseId), c => c.MessageId = m.MessageId)));

        var cases = messages.Select(m => m.CaseId).ToList();
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))) == count,
            TimeSpan.FromSeconds(60), "every record opened");
        Assert.Equal(count, await custody.QueryAsync(db => db.Events.CountAsync(e => cases.Contains(e.CaseId) && e.Kind == CustodyEventKind.Captured)));
        Assert.Equal(count, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => messages.Select(x => x.MessageId).Contains(m.MessageId))));
        // One consume scope, one transaction, two round trips per full batch: not one transaction per event.
        var scopes = custody.RoundTrips.OfAny(messages.Select(m => (object)m.MessageId));
        var commits = scopes.Sum(s => s.Count(e => e == "COMMIT"));
        Assert.True(commits <= count / BatchingCustodyFixture.BatchSize * 2,
            $"{commits} commits in {scopes.Count} scopes for {count} events:\n  " + string.Join("\n  ", scopes.Select(s => string.Join(" | ", s))));
        Assert.True(scopes.Sum(s => s.Count) <= count / 2, $"{scopes.Sum(s => s.Count)} round trips for {count} events");
        // A batch's rows go as one multi-row INSERT a table (inbox_messages, custody_records, custody_events: 8 rows
        // each), not as EF Core's one INSERT a row (24 statements).
        var writes = scopes.SelectMany(s => s).Where(e => e.StartsWith("INSERT", StringComparison.Ordinal)).ToList();
        Assert.True(writes.Count > 0 && writes.TrueForAll(w => RoundTripCounter.Statements(w) <= 3),
            "the batches' writes:\n  " + string.Join("\n  ", writes));
        // Rows of several messages in one INSERT ("VALUES (…), (…)"), which the one-by-one path never sends.
        Assert.Contains(writes, w => w.Contains("), (", StringComparison.Ordinal));
        // Each batch's INSERTs planned once per session (GenericPlans.CommandPrefix), not at every batch (a batch of one
        // message, or one met again, goes through the save, one row an INSERT).
        Assert.All(writes.Where(w => w.Contains("), (", StringComparison.Ordinal)),
            w => Assert.Contains(RoundTripCounter.PlannedForTheSession, w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_one_batch_a_repeat_is_skipped_a_case_announced_twice_keeps_one_record_and_only_the_bad_message_is_refused()
    {
        // Applied before the batch, outside the bus: a message the batch repeats, and a case it announces again.
        var (repeated, known) = await AppliedBeforeAsync(custody);
        var twice = Guid.NewGuid();
        var poison = NewId.NextGuid();
        var good = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var batch = new List<(Guid MessageId, CaseRegistered Message)>
        {
            (NewId.NextGuid(), Registered(good[0])),
            (repeated.MessageId, Registered(repeated.CaseId)),
            (NewId.NextGuid(), Registered(known, "Belgorod region")),
            (NewId.NextGuid(), Registered(twice)),
            (poison, Registered(Guid.NewGuid(), new string('x', CustodyRecord.PlaceMaxLength + 1))),
            (NewId.NextGuid(), Registered(twice, "Belgorod region")),
            (NewId.NextGuid(), Registered(good[1])),
            (NewId.NextGuid(), Registered(good[2])),
        };
        Assert.Equal(BatchingCustodyFixture.BatchSize, batch.Count);

        foreach (var (messageId, message) in batch)
        {
            await custody.Bus.Publisher.Publish(message, c => c.MessageId = messageId);
        }

        // Refused at its first attempt, with its own reason, and alone: the batch's other messages were acknowledged.
        Assert.Contains("22001", (await RefusedAtOnceAsync(custody, Queue + "_error", poison))["MT-Fault-Message"]);
        await Eventually.TrueAsync(async () => await custody.Infrastructure.QueueDepthAsync(custody.Broker, Queue + "_error") == 1,
            TimeSpan.FromSeconds(30), "the error queue to hold the bad message only");
        // The eight came as one batch: one consume scope inserted all their inbox rows (first together, then one by one).
        Assert.Single(custody.RoundTrips.OfAny(batch.Where(b => b.MessageId != repeated.MessageId).Select(b => (object)b.MessageId)));

        var all = good.Append(repeated.CaseId).Append(known).Append(twice).ToList();
        Assert.Equal(all.Count, await custody.QueryAsync(db => db.Records.CountAsync(r => all.Contains(r.CaseId))));
        Assert.Equal(all.Count, await custody.QueryAsync(db => db.Events.CountAsync(e => all.Contains(e.CaseId))));
        Assert.Equal("Kursk region", await custody.QueryAsync(db => db.Records.Where(r => r.CaseId == known).Select(r => r.CapturePlace).SingleAsync()));
        Assert.Equal("Kursk region", await custody.QueryAsync(db => db.Records.Where(r => r.CaseId == twice).Select(r => r.CapturePlace).SingleAsync()));
        var ids = batch.Select(b => b.MessageId).ToList();
        Assert.Equal(ids.Count - 1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => ids.Contains(m.MessageId))));
        Assert.Equal(0, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == poison)));
    }
}

/// <summary>The CaseRegistered of the batch and bundle tests, and the inbox's work for one delivery without the bus.</summary>
internal static class CaseRegisteredSamples
{
    public static CaseRegistered Registered(Guid caseId, string place = "Kursk region") => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-000161",
        FamilyName = "Соколов",
        GivenNames = "Андрей Петрович",
        CapturedAt = new DateTimeOffset(2025, 3, 2, 5, 0, 0, TimeSpan.Zero),
        CapturePlace = place,
        CapturingAgency = "UA-SSO",
        RegisteredAt = new DateTimeOffset(2025, 3, 2, 9, 0, 0, TimeSpan.Zero),
    };

    /// <summary>
    /// Outside the bus, before the messages under test: a message applied (for them to repeat) and a case opened under
    /// another message id (for them to announce again).
    /// </summary>
    public static async Task<((Guid MessageId, Guid CaseId) Repeated, Guid Known)> AppliedBeforeAsync(CustodyFixture custody)
    {
        var repeated = (MessageId: NewId.NextGuid(), CaseId: Guid.NewGuid());
        Assert.True(await ApplyAsync(custody, repeated.MessageId, Registered(repeated.CaseId)));
        var known = Guid.NewGuid();
        Assert.True(await ApplyAsync(custody, NewId.NextGuid(), Registered(known)));
        return (repeated, known);
    }

    /// <summary>The message <paramref name="messageId"/> refused into <paramref name="errorQueue"/> at its first attempt, never retried.</summary>
    public static async Task<Dictionary<string, string>> RefusedAtOnceAsync(CustodyFixture custody, string errorQueue, Guid messageId)
    {
        var headers = await Eventually.GetAsync(() => custody.Infrastructure.PeekHeadersAsync(custody.Broker, errorQueue, messageId),
            TimeSpan.FromSeconds(60), $"message {messageId} refused into {errorQueue}");
        Assert.False(headers.TryGetValue("MT-Fault-RetryCount", out var retries) && retries != "0", $"retried {retries} times");
        Assert.Equal(typeof(MessageRefusedException).FullName, headers["MT-Fault-ExceptionType"]);
        return headers;
    }

    /// <summary>What the inbox does for one delivery, in a scope of its own, without the bus.</summary>
    public static async Task<bool> ApplyAsync(CustodyFixture custody, Guid messageId, CaseRegistered registered)
    {
        await using var scope = custody.Service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustodyDbContext>();
        var open = scope.ServiceProvider.GetRequiredService<OpenCustodyRecordHandler>();
        return await db.ApplyOnceAsync(messageId, nameof(Consumers.CaseRegisteredConsumer), TimeProvider.System,
            ct => open.HandleAsync(registered, ct), CancellationToken.None);
    }
}
