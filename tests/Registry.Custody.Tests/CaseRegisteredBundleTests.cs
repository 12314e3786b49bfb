using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Domain;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;
using static Registry.Custody.Tests.CaseRegisteredSamples;

namespace Registry.Custody.Tests;

/// <summary>
/// Issue 15: the outbox's CaseRegistered rows leave as bundles (CaseRegisteredBundle, a bulk import's hundred cases in
/// one bus message), and custody applies a bundle in one transaction with the inbox's promises of a single event: each
/// event once under its own message id, and a bundle that fails as a whole sent on event by event, so that a repeat is
/// skipped and only the bad event is refused. A fixture of their own: the refused event stays in the error queue.
/// </summary>
public sealed class CaseRegisteredBundleTests(BatchingCustodyFixture custody) : IClassFixture<BatchingCustodyFixture>
{
    private const string Queue = "custody-case-registered";
    private const string BundleQueue = "custody-case-registered-bundle";

    [Fact]
    public async Task Case_registered_rows_of_the_outbox_leave_as_bundles_of_the_limit_each_applied_in_one_transaction_each_event_under_its_own_id()
    {
        // Ten CaseRegistered rows in one transaction: one round of custody's own dispatcher (the same one intake runs), so
        // bundles of the limit and the rest: 7 and 3. Singly they would come as a batch of eight and one of two.
        const int count = 10;
        var rows = Enumerable.Range(0, count).Select(_ => OutboxMessage.Create(Registered(Guid.NewGuid()), DateTimeOffset.UtcNow)).ToList();
        await OutboxRows.WriteAsync(custody, [.. rows]);

        var cases = rows.Select(r => System.Text.Json.JsonSerializer.Deserialize<CaseRegistered>(r.Payload)!.CaseId).ToList();
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))) == count,
            TimeSpan.FromSeconds(60), "every record opened");
        // Each event once in the single events' consumer's inbox, under its row's message id: a delivery of the same
        // event on its own (a bundle that failed and was sent on) is recognised as a repeat.
        var ids = rows.Select(r => r.MessageId).ToList();
        var inbox = await custody.QueryAsync(db => db.InboxMessages.Where(m => ids.Contains(m.MessageId)).ToListAsync());
        Assert.Equal(ids.Order(), inbox.Select(m => m.MessageId).Order());
        Assert.All(inbox, m => Assert.Equal(nameof(Consumers.CaseRegisteredConsumer), m.Consumer));
        // A bundle is one transaction, whose inbox rows share the moment it began.
        Assert.Equal([BatchingCustodyFixture.BundleLimit, count - BatchingCustodyFixture.BundleLimit],
            inbox.GroupBy(m => m.ProcessedAt).Select(g => g.Count()).OrderDescending());
        // Two consume scopes (the test's own write of the outbox rows aside), each one commit.
        var scopes = custody.RoundTrips.OfAny(ids.Select(id => (object)id))
            .Where(s => s.Any(e => e.StartsWith("INSERT INTO \"inbox_messages\"", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, scopes.Count);
        Assert.All(scopes, s => Assert.Equal(1, s.Count(e => e == "COMMIT")));
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.OutboxMessages.CountAsync(m => ids.Contains(m.MessageId) && m.SentAt == null)) == 0,
            TimeSpan.FromSeconds(30), "every row of the bundle marked sent");
    }

    [Fact]
    public async Task A_bundle_that_fails_as_a_whole_is_sent_on_event_by_event_a_repeat_skipped_and_only_the_bad_event_refused()
    {
        var (repeated, known) = await AppliedBeforeAsync(custody);
        var poison = NewId.NextGuid();
        var good = Enumerable.Range(0, 2).Select(_ => Guid.NewGuid()).ToList();
        var events = new List<(Guid MessageId, CaseRegistered Message)>
        {
            (NewId.NextGuid(), Registered(good[0])),
            (repeated.MessageId, Registered(repeated.CaseId)),
            (poison, Registered(Guid.NewGuid(), new string('x', CustodyRecord.PlaceMaxLength + 1))),
            (NewId.NextGuid(), Registered(known, "Belgorod region")),
            (NewId.NextGuid(), Registered(good[1])),
        };

        var bundleId = NewId.NextGuid();
        await custody.Bus.Publisher.Publish(new CaseRegisteredBundle
        {
            MessageIds = events.Select(e => e.MessageId).ToList(),
            Events = events.Select(e => e.Message).ToList(),
        }, c => c.MessageId = bundleId);

        // The bad event is refused on its own, at its first attempt, from the single events' queue.
        Assert.Contains("22001", (await RefusedAtOnceAsync(custody, Queue + "_error", poison))["MT-Fault-Message"]);

        var all = good.Append(repeated.CaseId).Append(known).ToList();
        await Eventually.TrueAsync(async () => await custody.QueryAsync(db => db.Records.CountAsync(r => all.Contains(r.CaseId))) == all.Count,
            TimeSpan.FromSeconds(30), "the good events' records opened");
        Assert.Equal(all.Count, await custody.QueryAsync(db => db.Events.CountAsync(e => all.Contains(e.CaseId))));
        Assert.Equal("Kursk region", await custody.QueryAsync(db => db.Records.Where(r => r.CaseId == known).Select(r => r.CapturePlace).SingleAsync()));
        var ids = events.Select(e => e.MessageId).ToList();
        Assert.Equal(ids.Count - 1, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => ids.Contains(m.MessageId))));
        Assert.Equal(0, await custody.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == poison)));
        // The bundle itself was done with once its events were sent on: nothing in its own error queue.
        Assert.True(await custody.Infrastructure.QueueDepthAsync(custody.Broker, BundleQueue + "_error") == 0
            || await custody.Infrastructure.PeekHeadersAsync(custody.Broker, BundleQueue + "_error", bundleId) is null);
    }

    [Theory]
    [InlineData("more ids than events")]
    [InlineData("one id for two events")]
    public async Task A_bundle_whose_ids_do_not_name_its_events_one_each_is_refused_at_once_and_applies_nothing(string fault)
    {
        var cases = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var id = NewId.NextGuid();
        var bundle = fault == "more ids than events"
            ? new CaseRegisteredBundle { MessageIds = [id, NewId.NextGuid()], Events = [Registered(cases[0])] }
            : new CaseRegisteredBundle { MessageIds = [id, id], Events = [Registered(cases[0]), Registered(cases[1])] };
        var bundleId = NewId.NextGuid();
        await custody.Bus.Publisher.Publish(bundle, c => c.MessageId = bundleId);

        await RefusedAtOnceAsync(custody, BundleQueue + "_error", bundleId);
        Assert.Equal(0, await custody.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))));
    }
}
