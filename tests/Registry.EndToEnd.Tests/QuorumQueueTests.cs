using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// On RabbitMQ every consumer queue of the registry is a quorum queue unless Bus:QueueType says classic
/// (RegistryBus.QueueTypeKey): replicated by the broker cluster, so a queue outlives a node.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class QuorumQueueTests(RegistryFixture registry)
{
    [Fact]
    public async Task The_consumer_queues_of_intake_custody_and_medical_are_quorum_queues()
    {
        var queues = await registry.Infrastructure.QueueTypesAsync(registry.BrokerVirtualHost);

        foreach (var queue in new[] { "custody-case-registered", "medical-case-registered", "intake-custody-admitted" })
        {
            Assert.True(queues.TryGetValue(queue, out var type), $"no queue {queue} among {string.Join(", ", queues.Keys)}");
            Assert.Equal("quorum", type);
        }

        // Every queue a registry consumer reads (named for its service; not the error and skipped queues, nor the bus
        // instance's own temporary queue, which MassTransit declares itself).
        var consumed = queues.Where(q => q.Key.Split('-')[0] is "intake" or "custody" or "medical")
            .Where(q => !q.Key.EndsWith("_error", StringComparison.Ordinal) && !q.Key.EndsWith("_skipped", StringComparison.Ordinal)).ToList();
        Assert.True(consumed.Count >= 10, $"only {consumed.Count} consumer queues: {string.Join(", ", consumed.Select(q => q.Key))}");
        Assert.All(consumed, q => Assert.True(q.Value == "quorum", $"{q.Key} is {q.Value}"));
    }
}
