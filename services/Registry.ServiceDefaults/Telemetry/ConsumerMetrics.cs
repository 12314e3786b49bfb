using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MassTransit;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// Whether the consumers keep up, on <see cref="RegistryTelemetry.Meter"/>, tagged with the queue
/// (<c>messaging.destination.name</c>, e.g. <c>custody-case-registered</c>):
/// <list type="bullet">
/// <item><c>registry.consumer.lag</c> (histogram, s): from the moment an event was sent (MassTransit's SentTime, the
/// publisher's wall clock) to the moment its consumer first took it (a retry in place or a broker redelivery is not
/// measured again; a message moved back from its error queue is, with its whole wait), also tagged with the message type;</item>
/// <item><c>registry.consumer.queue.depth</c> (gauge, {message}): messages waiting in each consumer queue, and in its
/// error queue (<see cref="QueueKindTag"/> <c>work</c> or <c>error</c>: what a consumer refused after its retries, waiting
/// for <c>registryctl move-errors</c>), read from the broker by <see cref="BrokerQueueProbe"/> (RabbitMQ only: the
/// embedded mode's in-memory bus has no queue to ask).</item>
/// </list>
/// </summary>
public static class ConsumerMetrics
{
    public const string QueueTag = "messaging.destination.name";
    public const string QueueKindTag = "registry.queue.kind";

    private static readonly ConcurrentDictionary<(string Queue, string Kind), long> Depths = new();

    public static readonly Histogram<double> Lag = RegistryTelemetry.Meter.CreateHistogram<double>(
        "registry.consumer.lag", "s", "From an event's sending to its consumer taking it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] });

    public static readonly ObservableGauge<long> QueueDepth = RegistryTelemetry.Meter.CreateObservableGauge(
        "registry.consumer.queue.depth",
        () => Depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>(QueueTag, d.Key.Queue), new KeyValuePair<string, object?>(QueueKindTag, d.Key.Kind))),
        "{message}", "Messages waiting in a consumer's queue or its error queue");

    /// <summary>Records how long <paramref name="context"/>'s message waited for its consumer (nothing when it carries no SentTime).</summary>
    public static void Taken(ConsumeContext context, string messageType)
    {
        // Once per delivery: not again for each retry in place, nor for a redelivery by the broker.
        if (context.SentTime is not { } sent || context.GetRetryAttempt() > 0 || context.ReceiveContext.Redelivered)
        {
            return;
        }

        var queue = context.ReceiveContext.InputAddress?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        Lag.Record(Math.Max(0, (DateTime.UtcNow - sent).TotalSeconds),
            new TagList { { QueueTag, queue }, { OutboxMetrics.MessageTypeTag, messageType } });
    }

    /// <summary>Records how many messages wait in <paramref name="queue"/> (<paramref name="kind"/>: <c>work</c> or <c>error</c>).</summary>
    public static void Depth(string queue, string kind, long messages) => Depths[(queue, kind)] = messages;

    /// <summary>What the gauge reports for a queue (null before the probe read it).</summary>
    public static long? DepthOf(string queue, string kind) => Depths.TryGetValue((queue, kind), out var depth) ? depth : null;
}

/// <summary>The queues of the consumers registered in this process (<see cref="Messaging.RegistryConsumerDefinition{TConsumer, TDb}"/> adds each).</summary>
public sealed class ConsumerQueues
{
    private readonly ConcurrentDictionary<string, byte> _queues = new(StringComparer.Ordinal);

    public void Add(string queue) => _queues.TryAdd(queue, 0);

    public IReadOnlyList<string> All => [.. _queues.Keys.Order(StringComparer.Ordinal)];
}
