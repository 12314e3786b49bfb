using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// The outbox's metrics, on <see cref="RegistryTelemetry.Meter"/>, each tagged with the outbox
/// (<see cref="RegistryTelemetry.OutboxStoreTag"/>: its DbContext, e.g. <c>IntakeDbContext</c>):
/// <list type="bullet">
/// <item><c>registry.outbox.parked</c> (counter, {row}): rows the dispatcher parked since the process started, also
/// tagged with the message type; any increase wants an operator (<c>registryctl outbox parked</c>).</item>
/// <item><c>registry.outbox.parked.rows</c> (gauge, {row}): rows parked in the outbox now, counted by the dispatcher at
/// start, after it parks one and every minute (so a row re-queued by <c>registryctl outbox retry</c> leaves it within a minute).</item>
/// <item><c>registry.outbox.pending</c> (gauge, {row}): rows written and not yet sent nor parked, and
/// <c>registry.outbox.oldest.age</c> (gauge, s): how long the oldest of them has waited (0 when none), both read by
/// <see cref="OutboxBacklogProbe{TDb}"/>. The age is computed at each collection from the oldest row's time, so it keeps
/// growing while the dispatcher (or the probe) is stuck: an outbox older than a minute wants an operator.</item>
/// </list>
/// </summary>
public static class OutboxMetrics
{
    public const string MessageTypeTag = "messaging.message.type";

    private static readonly ConcurrentDictionary<string, long> ParkedNow = new();

    public static readonly Counter<long> Parked = RegistryTelemetry.Meter.CreateCounter<long>(
        "registry.outbox.parked", "{row}", "Outbox rows parked because they could not be published");

    public static readonly ObservableGauge<long> ParkedRows = RegistryTelemetry.Meter.CreateObservableGauge(
        "registry.outbox.parked.rows",
        () => ParkedNow.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>(RegistryTelemetry.OutboxStoreTag, p.Key))),
        "{row}", "Outbox rows parked now, waiting for an operator");

    private static readonly ConcurrentDictionary<string, Backlog> Backlogs = new();

    public static readonly ObservableGauge<long> PendingRows = RegistryTelemetry.Meter.CreateObservableGauge(
        "registry.outbox.pending",
        () => Backlogs.Select(b => new Measurement<long>(b.Value.Pending, new KeyValuePair<string, object?>(RegistryTelemetry.OutboxStoreTag, b.Key))),
        "{row}", "Outbox rows waiting to be published");

    public static readonly ObservableGauge<double> OldestPendingAge = RegistryTelemetry.Meter.CreateObservableGauge(
        "registry.outbox.oldest.age",
        () => Backlogs.Select(b => new Measurement<double>(b.Value.AgeSeconds, new KeyValuePair<string, object?>(RegistryTelemetry.OutboxStoreTag, b.Key))),
        "s", "How long the oldest outbox row waiting to be published has waited");

    /// <summary>What the outbox of <paramref name="store"/> holds unsent now: how many rows, and when the oldest was written (null: none).</summary>
    public static void BacklogOf(string store, long pending, DateTimeOffset? oldest, TimeProvider clock) =>
        Backlogs[store] = new Backlog(pending, oldest, clock);

    /// <summary>What the gauges report for <paramref name="store"/> (null before its probe read).</summary>
    public static (long Pending, double AgeSeconds)? BacklogReportOf(string store) =>
        Backlogs.TryGetValue(store, out var backlog) ? (backlog.Pending, backlog.AgeSeconds) : null;

    private sealed record Backlog(long Pending, DateTimeOffset? Oldest, TimeProvider Clock)
    {
        public double AgeSeconds => Oldest is { } oldest ? Math.Max(0, (Clock.GetUtcNow() - oldest).TotalSeconds) : 0;
    }

    /// <summary>Counts one row of <paramref name="store"/> parked.</summary>
    public static void RowParked(string store, string messageType) =>
        Parked.Add(1, new TagList { { RegistryTelemetry.OutboxStoreTag, store }, { MessageTypeTag, messageType } });

    /// <summary>Records how many rows of <paramref name="store"/> are parked now.</summary>
    public static void ParkedCount(string store, long count) => ParkedNow[store] = count;

    /// <summary>What the gauge reports for <paramref name="store"/> (null before its dispatcher counted).</summary>
    public static long? ParkedCountOf(string store) => ParkedNow.TryGetValue(store, out var count) ? count : null;
}
