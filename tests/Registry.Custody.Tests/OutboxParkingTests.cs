using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Ctl;
using Registry.Custody.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Telemetry;
using Registry.Testing;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Custody.Tests;

/// <summary>
/// One outbox row that can never be published (issue 10, row 5): before, every round failed on it and the whole
/// dispatcher backed off (up to 15 s) and retried it forever, so every later event waited.
/// </summary>
public sealed class OutboxParkingTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    [Fact]
    public async Task A_row_that_can_never_be_published_is_parked_and_the_events_after_it_flow_on()
    {
        // A type a newer version named, say, and this one does not know: it can never be published by this service.
        var poisonedType = $"urn:message:Registry.Contracts:CustodyRelocated{Guid.NewGuid():N}";
        using var parkedCount = new ParkedCounter(poisonedType);
        var poisoned = Row(Guid.NewGuid(), poisonedType);
        await OutboxRows.WriteAsync(custody, poisoned);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.Id == poisoned.Id && m.Attempts > 0)),
            TimeSpan.FromSeconds(30), "the poisoned row tried");

        // Good events written one after the other, each waited for: before, each waited for the dispatcher's backoff
        // (0.5, 1, 2, 4, 8, then 15 s) behind the poisoned row, about 165 s for these 15.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 15; i++)
        {
            var caseId = Guid.NewGuid();
            await OutboxRows.WriteAsync(custody, Row(caseId));
            await custody.Events.WaitForAsync<CustodyAdmitted>(m => m.CaseId == caseId, $"good event {i + 1} published");
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60),
            $"15 good events took {clock.Elapsed.TotalSeconds:0.0} s behind one poisoned row (a few hundred ms each without it)");

        var row = await custody.QueryAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == poisoned.Id));
        Assert.NotNull(row.ParkedAt);
        Assert.Null(row.SentAt);
        Assert.Equal(1, row.Attempts); // never publishable: parked at its first attempt, not after MaxAttempts
        Assert.Contains("names no message contract", row.LastError);
        Assert.Equal(1, parkedCount.Value);

        // Retention never deletes it, however old.
        var retention = new MessagingRetention();
        await custody.QueryAsync(db => MessagingRetentionJob<CustodyDbContext>.PurgeAsync(db, retention, DateTimeOffset.UtcNow.AddYears(10), CancellationToken.None));
        Assert.True(await custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.Id == poisoned.Id)));

        // registryctl outbox parked lists it; once the cause is fixed, registryctl outbox retry re-queues it.
        await using (var outbox = await ParkedOutbox.OpenAsync("Postgres", OutboxRows.Database(custody)))
        {
            var listed = Assert.Single(await outbox.ListAsync(100), r => r.Id == poisoned.Id);
            Assert.Equal((poisoned.MessageId, poisonedType, 1), (listed.MessageId, listed.MessageType, listed.Attempts));
            Assert.Contains("names no message contract", listed.LastError);

            Assert.Equal(0, await outbox.RetryAsync(poisoned.Id + 1_000_000));
            // The fix: here, the row rewritten under the contract this version knows.
            var fixedCase = Guid.NewGuid();
            await custody.QueryAsync(db => db.OutboxMessages.Where(m => m.Id == poisoned.Id).ExecuteUpdateAsync(u => u
                .SetProperty(m => m.MessageType, MessageNames.NameOf(typeof(CustodyAdmitted)))
                .SetProperty(m => m.Payload, Row(fixedCase).Payload)));
            Assert.Equal(1, await outbox.RetryAsync(poisoned.Id));
            Assert.DoesNotContain(await outbox.ListAsync(100), r => r.Id == poisoned.Id);

            await custody.Events.WaitForAsync<CustodyAdmitted>(m => m.CaseId == fixedCase, "the re-queued row published");
        }

        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.Id == poisoned.Id && m.SentAt != null)),
            TimeSpan.FromSeconds(30), "the re-queued row marked sent");
    }

    [Fact]
    public void Settings_out_of_range_stop_the_service_at_start()
    {
        static OutboxDispatch Read(string key, string value) => OutboxDispatch.From(new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>($"{OutboxDispatch.Section}:{key}", value)]).Build());

        Assert.Equal(10, Read("MaxAttempts", "10").MaxAttempts);
        Assert.Contains("MaxAttempts", Assert.Throws<InvalidConfigurationException>(() => Read("MaxAttempts", "0")).Message);
        Assert.Contains("RetryMinInterval", Assert.Throws<InvalidConfigurationException>(() => Read("RetryMinInterval", "00:00:00")).Message);
        Assert.Contains("RetryMaxInterval", Assert.Throws<InvalidConfigurationException>(() => Read("RetryMaxInterval", "00:00:00.5")).Message);

        var defaults = new OutboxDispatch();
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(a => defaults.RetryDelay(a).TotalSeconds));
    }

    private static OutboxMessage Row(Guid caseId, string? messageType = null)
    {
        var row = OutboxMessage.Create(new CustodyAdmitted
        {
            CaseId = caseId, AdmittedAt = DateTimeOffset.UtcNow, Facility = "Camp 1", CustodianAgency = "UA-SSO",
        }, DateTimeOffset.UtcNow);
        row.MessageType = messageType ?? row.MessageType;
        return row;
    }

    /// <summary>Counts what the dispatcher reports on <c>registry.outbox.parked</c> for one message type.</summary>
    private sealed class ParkedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value;

        public ParkedCounter(string messageType)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RegistryTelemetry.Meter.Name && instrument.Name == "registry.outbox.parked")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == OutboxMetrics.MessageTypeTag && Equals(tag.Value, messageType))
                    {
                        Interlocked.Add(ref _value, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Value => Interlocked.Read(ref _value);

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>Outbox rows written straight into custody's outbox, as a handler's transaction would, and the dispatcher woken.</summary>
internal static class OutboxRows
{
    public static async Task WriteAsync(CustodyFixture custody, params OutboxMessage[] rows)
    {
        await custody.QueryAsync(db =>
        {
            db.OutboxMessages.AddRange(rows);
            return db.SaveChangesAsync();
        });
        custody.Service.Services.GetRequiredService<OutboxSignal<CustodyDbContext>>().Notify();
    }

    public static string Database(CustodyFixture custody) =>
        custody.Service.Services.GetRequiredService<IConfiguration>().GetConnectionString(CustodyModule.ConnectionName)!;
}
