using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// A consumer of <see cref="CaseRegisteredBundle"/>: the <see cref="CaseRegistered"/> events intake's outbox publishes
/// together (<see cref="OutboxDispatch.BundleLimit"/>), applied as <typeparamref name="TConsumer"/>, the consumer of the
/// single events, would apply them: each once under its own message id in <typeparamref name="TConsumer"/>'s inbox, all in
/// one transaction, or, when that fails, each sent on to <typeparamref name="TConsumer"/>'s queue to be applied, retried
/// or refused on its own (<see cref="InboxSession{TDb}.ApplyBundleAsync{TMessage}"/>). Registered through a
/// <see cref="RegistryConsumerDefinition{TConsumer, TDb}"/> on a queue of its own, which takes
/// <see cref="ConsumerBatching.ConcurrencyLimit"/> bundles at once; the definition adds no inbox filter on the bundle's
/// own id, since the inbox records each event's.
/// </summary>
/// <typeparam name="TConsumer">The consumer of the single events, whose inbox name the events are recorded under.</typeparam>
/// <typeparam name="TDb">The consumer's store, which holds its inbox.</typeparam>
public abstract class InboxBundleConsumer<TConsumer, TDb>(InboxSession<TDb> inbox, string singleQueue) : IConsumer<CaseRegisteredBundle>, IInboxBundleConsumer
    where TConsumer : InboxBatchConsumer<CaseRegistered, TDb>
    where TDb : DbContext, IInboxStore
{
    // The exchange MassTransit binds to the receive endpoint's queue, of the same name: sending to "queue:" would declare
    // the queue again, without the arguments it was declared with (a quorum queue: the broker refuses, 406).
    private readonly Uri _singleQueue = new($"exchange:{singleQueue}");

    /// <summary>The most events a bundle may carry (<see cref="OutboxDispatch.BundleLimit"/>'s upper bound).</summary>
    public const int MaxEvents = 1000;

    public async Task Consume(ConsumeContext<CaseRegisteredBundle> context)
    {
        var bundle = context.Message;
        if (bundle.MessageIds is null || bundle.Events is null || bundle.MessageIds.Count != bundle.Events.Count
            || bundle.Events.Count is 0 or > MaxEvents || bundle.Events.Any(e => e is null)
            || bundle.MessageIds.Any(id => id == Guid.Empty) || bundle.MessageIds.Distinct().Count() != bundle.MessageIds.Count)
        {
            throw new MessageRefusedException(
                $"A {nameof(CaseRegisteredBundle)} must carry 1 to {MaxEvents} events, each with a message id of its own, non-empty " +
                $"and unique in the bundle ({bundle.MessageIds?.Count ?? 0} ids, {bundle.Events?.Count ?? 0} events).");
        }

        // The lag of each event, as if each had come on its own (from the bundle's sending; on the bundle's queue).
        for (var i = 0; i < bundle.Events.Count; i++)
        {
            ConsumerMetrics.Taken(context, nameof(CaseRegistered));
        }

        await inbox.ApplyBundleAsync(typeof(TConsumer), context, _singleQueue, bundle.MessageIds, bundle.Events, ApplyAsync);
    }

    /// <summary>Applies one event of the bundle: changes what the context tracks, and nothing else (no save, no commit).</summary>
    protected abstract Task ApplyAsync(CaseRegistered message, CancellationToken ct);
}

/// <summary>What <see cref="RegistryConsumerDefinition{TConsumer, TDb}"/> recognises an <see cref="InboxBundleConsumer{TConsumer, TDb}"/> by.</summary>
public interface IInboxBundleConsumer;
