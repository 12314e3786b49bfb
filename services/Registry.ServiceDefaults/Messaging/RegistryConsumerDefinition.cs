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
/// that every consumer is registered through it.
/// </summary>
public abstract class RegistryConsumerDefinition<TConsumer, TDb> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
    where TDb : DbContext, IInboxStore
{
    protected RegistryConsumerDefinition(string endpointName)
    {
        EndpointName = endpointName;
    }

    protected sealed override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        // Retry first: each attempt then runs in a fresh scope (a fresh DbContext) and a fresh transaction.
        // What still fails goes to <queue>_error, from where `registryctl move-errors <queue>` takes it back.
        endpoint.UseRegistryRetry(context);
        // The in-memory bus's outboxes wait for this consumer's inbox on these messages (InMemoryDeliveryLedger).
        context.GetService<InMemoryDeliveryLedger>()?.Expect(typeof(TConsumer), ConsumedMessages());
        foreach (var message in ConsumedMessages())
        {
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

    private static IEnumerable<Type> ConsumedMessages() =>
        typeof(TConsumer).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0]);
}
