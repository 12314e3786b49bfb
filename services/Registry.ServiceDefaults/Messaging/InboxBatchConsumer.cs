using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Registry.ServiceDefaults.Telemetry;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// A consumer of a busy event that applies the messages MassTransit collects into a <see cref="Batch{T}"/> in one
/// transaction (<see cref="InboxSession{TDb}.ApplyBatchAsync{TMessage}"/>): each still once, however often delivered,
/// and each failing on its own. A bulk import sends thousands of <c>CaseRegistered</c> a second; one transaction per
/// message made custody and medical the import's bottleneck (docs/performance.md, issue 15). Registered through a
/// <see cref="RegistryConsumerDefinition{TConsumer, TDb}"/> like every consumer, which sets the batch's limits
/// (<see cref="ConsumerBatching"/>). Consumers derive from it rather than implement <c>IConsumer&lt;Batch&lt;T&gt;&gt;</c>
/// themselves, so that none can leave the inbox out.
/// </summary>
/// <typeparam name="TMessage">The event.</typeparam>
/// <typeparam name="TDb">The consumer's store, which holds its inbox.</typeparam>
public abstract class InboxBatchConsumer<TMessage, TDb>(InboxSession<TDb> inbox) : IConsumer<Batch<TMessage>>
    where TMessage : class
    where TDb : DbContext, IInboxStore
{
    public Task Consume(ConsumeContext<Batch<TMessage>> context)
    {
        foreach (var message in context.Message)
        {
            ConsumerMetrics.Taken(message, typeof(TMessage).Name);
        }

        return inbox.ApplyBatchAsync(GetType(), context, ApplyAsync);
    }

    /// <summary>
    /// Applies one message of the batch: changes what the context tracks, and nothing else (no save, no commit). A
    /// consumer that inserts on the strength of a key reads first when <see cref="Inbox.Reapplying"/> is true. When the
    /// batch's entities are all new they are written without the save (<see cref="Data.InsertBatch.OfTracked"/>): a key the
    /// database generates is not read back into them, so nothing after the batch should read one from an entity it added.
    /// </summary>
    protected abstract Task ApplyAsync(ConsumeContext<TMessage> message, CancellationToken ct);
}

/// <summary>
/// How batch consumers (<see cref="InboxBatchConsumer{TMessage, TDb}"/>) collect messages (configuration section
/// <c>Messaging:Batch</c>): at most <see cref="MessageLimit"/> a batch, delivered when full or
/// <see cref="TimeLimit"/> after its first message, <see cref="ConcurrencyLimit"/> batches applied at once. A message
/// arriving alone waits <see cref="TimeLimit"/> (the price in propagation of a quiet queue); MassTransit sets the queue's
/// prefetch to <c>MessageLimit × ConcurrencyLimit</c>.
/// </summary>
public sealed class ConsumerBatching
{
    public const string Section = "Messaging:Batch";

    /// <summary>Messages in one batch, so in one transaction: 1 to 1,000 (default 100).</summary>
    public int MessageLimit { get; init; } = 100;

    /// <summary>The longest a message waits for others, from the first of its batch: 1 ms to 10 s (default 20 ms).</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Batches applied at once: 1 to 16 (default 2: one is collected while the other commits).</summary>
    public int ConcurrencyLimit { get; init; } = 2;

    /// <exception cref="InvalidConfigurationException">A setting is out of its range, named with the range.</exception>
    public static ConsumerBatching From(IConfiguration configuration)
    {
        var batching = configuration.GetSection(Section).Get<ConsumerBatching>() ?? new ConsumerBatching();
        if (batching.MessageLimit is < 1 or > 1000)
        {
            throw new InvalidConfigurationException($"{Section}:MessageLimit must be 1 to 1000, not {batching.MessageLimit}.");
        }

        if (batching.TimeLimit < TimeSpan.FromMilliseconds(1) || batching.TimeLimit > TimeSpan.FromSeconds(10))
        {
            throw new InvalidConfigurationException($"{Section}:TimeLimit must be 1 ms to 10 s, not {batching.TimeLimit}.");
        }

        if (batching.ConcurrencyLimit is < 1 or > 16)
        {
            throw new InvalidConfigurationException($"{Section}:ConcurrencyLimit must be 1 to 16, not {batching.ConcurrencyLimit}.");
        }

        return batching;
    }
}
