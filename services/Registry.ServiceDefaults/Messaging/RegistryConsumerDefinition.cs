using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// The one definition every consumer of the registry is registered with: its queue (each service keeps
/// its own, so each gets its own copy of every event: custody-case-registered, medical-case-registered),
/// the retry policy (<see cref="ConsumerRetry"/>, Messaging:Retry) and the inbox
/// (<see cref="InboxFilter{TConsumer, TDb, TMessage}"/>) on <typeparamref name="TDb"/>. The configuration
/// is sealed, so no consumer can leave the inbox or the retry policy out; ConsumerRegistrationTests (Registry.Deploy.Tests) check
/// that every consumer is registered through it. A consumer of <c>Batch&lt;T&gt;</c> must be an
/// <see cref="InboxBatchConsumer{TMessage, TDb}"/>, which applies each batch through the inbox in one transaction;
/// its limits come from <see cref="ConsumerBatching"/> (Messaging:Batch). A consumer of <c>CaseRegisteredBundle</c> must be an
/// <see cref="InboxBundleConsumer{TConsumer, TDb}"/>, which records each event of a bundle in the inbox.
/// </summary>
public abstract class RegistryConsumerDefinition<TConsumer, TDb> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
    where TDb : DbContext, IInboxStore
{
    private readonly string _queue;

    protected RegistryConsumerDefinition(string endpointName)
    {
        EndpointName = endpointName;
        _queue = endpointName;
    }

    protected sealed override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        // Retry first: each attempt then runs in a fresh scope (a fresh DbContext) and a fresh transaction.
        // What still fails goes to <queue>_error, from where `registryctl move-errors <queue>` takes it back.
        // A batch consumer's retries wrap each message: MassTransit delivers a retried message at once, in its own batch.
        endpoint.UseRegistryRetry(context);
        // The queue probe reads this queue's depth and its error queue's (ConsumerMetrics).
        context.GetService<Telemetry.ConsumerQueues>()?.Add(_queue);
        // The in-memory bus's outboxes wait for this consumer's inbox on these messages (InMemoryDeliveryLedger).
        context.GetService<InMemoryDeliveryLedger>()?.Expect(typeof(TConsumer), ConsumedMessages().Select(m => m.Message));
        foreach (var (message, batched) in ConsumedMessages())
        {
            if (batched)
            {
                // The consumer applies the batch through its inbox itself (InboxBatchConsumer); the definition sets its limits.
                if (!typeof(InboxBatchConsumer<,>).MakeGenericType(message, typeof(TDb)).IsAssignableFrom(typeof(TConsumer)))
                {
                    throw new InvalidOperationException(
                        $"{typeof(TConsumer).Name} consumes Batch<{message.Name}> without deriving from InboxBatchConsumer<{message.Name}, {typeof(TDb).Name}>: it would run without the inbox.");
                }

                var batching = ConsumerBatching.From(context.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>());
                consumer.Options<BatchOptions>(o => o
                    .SetMessageLimit(batching.MessageLimit)
                    .SetTimeLimit(batching.TimeLimit)
                    .SetConcurrencyLimit(batching.ConcurrencyLimit));
                continue;
            }

            if (message == typeof(Registry.Contracts.CaseRegisteredBundle))
            {
                // The consumer records each event of the bundle in its inbox itself (InboxBundleConsumer); a bundle holds up to a
                // thousand events, so the queue gives out as many at once as a batch consumer applies batches.
                if (!typeof(TConsumer).IsAssignableTo(typeof(IInboxBundleConsumer)))
                {
                    throw new InvalidOperationException(
                        $"{typeof(TConsumer).Name} consumes {message.Name} without deriving from InboxBundleConsumer: it would run without the inbox.");
                }

                var limit = ConsumerBatching.From(context.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()).ConcurrencyLimit;
                endpoint.ConcurrentMessageLimit = limit;
                endpoint.PrefetchCount = limit * 2;
                continue;
            }

            // A scoped filter of a closed type is added through the generic overload only (the Type overload
            // takes open generics over the message alone, which could not name the consumer and its store).
            UseInboxMethod.MakeGenericMethod(message).Invoke(null, [endpoint, context]);
        }
    }

    private static readonly System.Reflection.MethodInfo UseInboxMethod =
        typeof(RegistryConsumerDefinition<TConsumer, TDb>).GetMethod(nameof(UseInbox),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static void UseInbox<TMessage>(IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
        where TMessage : class =>
        endpoint.UseConsumeFilter<InboxFilter<TConsumer, TDb, TMessage>>(context);

    /// <summary>The messages the consumer applies, each with whether it takes them in batches (<c>IConsumer&lt;Batch&lt;T&gt;&gt;</c>).</summary>
    private static IEnumerable<(Type Message, bool Batched)> ConsumedMessages() =>
        typeof(TConsumer).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0])
            .Select(m => m.IsGenericType && m.GetGenericTypeDefinition() == typeof(Batch<>) ? (m.GetGenericArguments()[0], true) : (m, false));
}
