using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>Medical taking CaseRegistered in batches of <see cref="BatchSize"/> (delivered when full), every round trip recorded.</summary>
public sealed class BatchingMedicalFixture() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public const int BatchSize = 8;

    public RoundTripCounter RoundTrips { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => BatchSettings.WhenFull(BatchSize);

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<MedicalDbContext>(o => o.AddInterceptors(RoundTrips), ServiceLifetime.Singleton);
}

/// <summary>
/// Issue 15: medical opens records from CaseRegistered a batch per transaction (the inbox's rules inside a batch are
/// custody's tests', CaseRegisteredBatchTests there: the same InboxSession applies both), and a bundle of them
/// (CaseRegisteredBundle) in one.
/// </summary>
public sealed class CaseRegisteredBatchTests(BatchingMedicalFixture medical) : IClassFixture<BatchingMedicalFixture>
{
    private static CaseRegistered Registered(Guid caseId) => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-000162",
        FamilyName = "Sokolov",
        GivenNames = "Andrey",
        CapturedAt = new DateTimeOffset(2025, 3, 2, 5, 0, 0, TimeSpan.Zero),
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = new DateTimeOffset(2025, 3, 2, 9, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_burst_of_events_is_applied_a_batch_per_transaction_each_once()
    {
        const int count = 12 * BatchingMedicalFixture.BatchSize;
        var messages = Enumerable.Range(0, count).Select(_ => (MessageId: NewId.NextGuid(), CaseId: Guid.NewGuid())).ToList();

        await Task.WhenAll(messages.Select(m => medical.Bus.Publisher.Publish(Registered(m.CaseId), c => c.MessageId = m.MessageId)));
        // A repeat of the first, in a later batch (or alone, after the time limit): skipped.
        await medical.Bus.Publisher.Publish(Registered(messages[0].CaseId), c => c.MessageId = messages[0].MessageId);

        var cases = messages.Select(m => m.CaseId).ToList();
        await Eventually.TrueAsync(async () => await medical.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))) == count,
            TimeSpan.FromSeconds(60), "every record opened");
        var ids = messages.Select(m => m.MessageId).ToList();
        Assert.Equal(count, await medical.QueryAsync(db => db.InboxMessages.CountAsync(m => ids.Contains(m.MessageId))));
        var scopes = medical.RoundTrips.OfAny(ids.Cast<object>());
        var commits = scopes.Sum(s => s.Count(e => e == "COMMIT"));
        Assert.True(commits <= count / BatchingMedicalFixture.BatchSize * 2,
            $"{commits} commits in {scopes.Count} scopes for {count} events:\n  " + string.Join("\n  ", scopes.Select(s => string.Join(" | ", s))));
        // A batch's rows go as one multi-row INSERT a table (inbox_messages, medical_records), not one a row.
        var writes = scopes.SelectMany(s => s).Where(e => e.StartsWith("INSERT", StringComparison.Ordinal)).ToList();
        Assert.True(writes.Count > 0 && writes.TrueForAll(w => RoundTripCounter.Statements(w) <= 2),
            "the batches' writes:\n  " + string.Join("\n  ", writes));
        // Rows of several messages in one INSERT ("VALUES (…), (…)"), which the one-by-one path never sends.
        Assert.Contains(writes, w => w.Contains("), (", StringComparison.Ordinal));
        // Each batch's INSERTs planned once per session (GenericPlans.CommandPrefix), not at every batch (a batch of one
        // message, or one met again, goes through the save, one row an INSERT).
        Assert.All(writes.Where(w => w.Contains("), (", StringComparison.Ordinal)),
            w => Assert.Contains(RoundTripCounter.PlannedForTheSession, w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bundle_of_events_is_applied_in_one_transaction_each_under_its_own_id_in_the_single_consumers_inbox()
    {
        // More events than a batch holds: singly they could never share one scope.
        const int count = BatchingMedicalFixture.BatchSize + 3;
        var events = Enumerable.Range(0, count).Select(_ => (MessageId: NewId.NextGuid(), CaseId: Guid.NewGuid())).ToList();

        await medical.Bus.Publisher.Publish(new CaseRegisteredBundle
        {
            MessageIds = events.Select(e => e.MessageId).ToList(),
            Events = events.Select(e => Registered(e.CaseId)).ToList(),
        });

        var cases = events.Select(e => e.CaseId).ToList();
        await Eventually.TrueAsync(async () => await medical.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))) == count,
            TimeSpan.FromSeconds(60), "every record opened");
        var ids = events.Select(e => e.MessageId).ToList();
        var inbox = await medical.QueryAsync(db => db.InboxMessages.Where(m => ids.Contains(m.MessageId)).ToListAsync());
        Assert.Equal(ids.Order(), inbox.Select(m => m.MessageId).Order());
        Assert.All(inbox, m => Assert.Equal(nameof(Consumers.CaseRegisteredConsumer), m.Consumer));
        var scope = Assert.Single(medical.RoundTrips.OfAny(ids.Cast<object>()));
        Assert.Equal(1, scope.Count(e => e == "COMMIT"));

        // The same event again on its own (as a failed bundle sends it on): recognised, nothing opened twice.
        await medical.Bus.Publisher.Publish(Registered(events[0].CaseId), c => c.MessageId = events[0].MessageId);
        // Taken and acknowledged (ready and unacknowledged both zero; the publish returned at the broker's confirm).
        await Eventually.TrueAsync(async () => await medical.Infrastructure.QueueDepthAsync(medical.Broker, "medical-case-registered") == 0,
            TimeSpan.FromSeconds(30), "the repeat taken from the queue");
        Assert.Equal(0, await medical.Infrastructure.QueueDepthAsync(medical.Broker, "medical-case-registered_error"));
        Assert.Equal(1, await medical.QueryAsync(db => db.Records.CountAsync(r => r.CaseId == events[0].CaseId)));
        Assert.Equal(1, await medical.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == events[0].MessageId)));
    }
}
