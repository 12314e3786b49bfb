using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Registry.ServiceDefaults.Telemetry;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// The message bus. Modules add their consumers with <see cref="AddRegistryConsumers"/>, each with a
/// <see cref="RegistryConsumerDefinition{TConsumer, TDb}"/>; the host
/// then calls <see cref="AddRegistryBus"/> once, so that several modules composed in one process
/// share one bus while each keeps its own queues.
/// </summary>
public static class RegistryBus
{
    public const string ConnectionName = "RabbitMq";

    public static IHostApplicationBuilder AddRegistryConsumers(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> register)
    {
        // What the inbox filter of RegistryConsumerDefinition runs once a consumer's transaction committed.
        builder.Services.TryAddScoped<InboxCommit>();
        // What the inbox filter and the batch consumers apply messages through, on the consumer's own DbContext.
        builder.Services.TryAddScoped(typeof(InboxSession<>));
        // Told by each inbox filter what it applied; only the in-memory transport's outboxes wait on it.
        builder.Services.TryAddSingleton<InMemoryDeliveryLedger>();
        builder.Services.TryAddSingleton<ConsumerQueues>();
        Registrations(builder.Services).Add(register);
        return builder;
    }

    /// <summary>
    /// Adds the outbox of <typeparamref name="TDb"/> and its dispatcher (settings: <see cref="OutboxDispatch"/>, checked at
    /// start), with the settlement the transport needs (<see cref="IOutboxSettlement{TDb}"/>: on the in-memory bus a row
    /// is sent once its consumers applied it).
    /// </summary>
    public static IHostApplicationBuilder AddOutbox<TDb>(this IHostApplicationBuilder builder)
        where TDb : DbContext, IOutboxStore
    {
        builder.Services.TryAddSingleton(sp => OutboxDispatch.From(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton<OutboxSignal<TDb>>();
        if (IsInMemory(builder.Configuration))
        {
            builder.Services.TryAddSingleton<InMemoryDeliveryLedger>();
            builder.Services.AddSingleton<InMemoryOutboxSettlement<TDb>>();
            builder.Services.AddSingleton<IOutboxSettlement<TDb>>(sp => sp.GetRequiredService<InMemoryOutboxSettlement<TDb>>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<InMemoryOutboxSettlement<TDb>>());
        }
        else
        {
            builder.Services.AddSingleton<IOutboxSettlement<TDb>, BrokerOutboxSettlement<TDb>>();
        }

        builder.Services.AddSingleton<OutboxLeadership<TDb>>();
        builder.Services.AddHostedService<OutboxDispatcher<TDb>>();
        builder.Services.AddGaugeProbe<OutboxBacklogProbe<TDb>>();
        return builder;
    }

    /// <summary>
    /// Adds the job that deletes sent outbox rows and inbox rows of <typeparamref name="TDb"/> once
    /// <see cref="MessagingRetention"/> no longer keeps them.
    /// </summary>
    public static IHostApplicationBuilder AddMessagingRetention<TDb>(this IHostApplicationBuilder builder)
        where TDb : DbContext
    {
        builder.Services.TryAddSingleton(sp => MessagingRetention.From(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddHostedService<MessagingRetentionJob<TDb>>();
        return builder;
    }

    /// <summary>Configuration key choosing the transport: <c>RabbitMq</c> (default) or <c>InMemory</c> (embedded mode).</summary>
    public const string TransportKey = "Bus:Transport";

    /// <summary>
    /// Configuration key choosing the type of each consumer queue on RabbitMQ: <c>quorum</c> (default: replicated
    /// across the broker cluster's nodes by Raft, so a queue outlives the loss of a node; RabbitMQ ≥ 3.8) or
    /// <c>classic</c> (one node's). A queue's type is fixed when it is declared: a broker that already holds the
    /// registry's queues as classic ones refuses to declare them as quorum (PRECONDITION_FAILED, inequivalent arg
    /// 'x-queue-type'), and the service does not start. Keep <c>classic</c> there, or drain and delete those queues
    /// first (README, "Running at scale").
    /// </summary>
    public const string QueueTypeKey = "Bus:QueueType";

    public static IHostApplicationBuilder AddRegistryBus(this IHostApplicationBuilder builder)
    {
        var registrations = Registrations(builder.Services);
        var inMemory = IsInMemory(builder.Configuration);
        if (inMemory)
        {
            // Tracks every publish from its start, so the outboxes can tell when all its consumers applied it.
            builder.Services.TryAddSingleton<InMemoryDeliveryLedger>();
            builder.Services.AddPublishObserver(sp => sp.GetRequiredService<InMemoryDeliveryLedger>());
        }

        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit reports usage data to its vendor's host (usage-tracking.masstransit.io) unless told
            // not to: a registry of prisoners makes no outbound call its operators did not configure.
            // (MASSTRANSIT_USAGE_TELEMETRY=true in the environment would still turn it back on; nothing sets it.)
            bus.DisableUsageTelemetry();

            foreach (var register in registrations)
            {
                register(bus);
            }

            if (inMemory)
            {
                // One bus for every module in the process; each consumer keeps its own queue.
                bus.UsingInMemory((context, memory) =>
                {
                    memory.UseUtcInstants();
                    memory.ConfigureEndpoints(context);
                });
                return;
            }

            // The depth of each consumer queue and its error queue, from the broker (ConsumerMetrics).
            builder.Services.TryAddSingleton<ConsumerQueues>();
            builder.Services.AddGaugeProbe<BrokerQueueProbe>();
            var connection = builder.Configuration.GetConnectionString(ConnectionName)
                ?? throw new InvalidConfigurationException(
                    $"ConnectionStrings:{ConnectionName} is not set (an amqp:// URI); deploy/local-servers.sh prints one.");
            var broker = RabbitMqAddress.Parse(connection);
            if (QuorumQueues(builder.Configuration))
            {
                bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        rabbit.SetQuorumQueue();
                    }
                });
            }

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
                {
                    h.Username(broker.Username);
                    h.Password(broker.Password);
                    h.Heartbeat(TimeSpan.FromSeconds(10));
                });
                rabbit.UseUtcInstants();
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>
    /// Every instant a message carries is read as UTC (<see cref="UtcInstantJsonConverter"/>). MassTransit's
    /// System.Text.Json options are process-wide, so the converter is added once however many buses are built.
    /// </summary>
    private static void UseUtcInstants(this IBusFactoryConfigurator bus) =>
        bus.ConfigureJsonSerializerOptions(options =>
        {
            if (!options.Converters.OfType<UtcInstantJsonConverter>().Any())
            {
                options.Converters.Add(new UtcInstantJsonConverter());
            }

            return options;
        });

    /// <summary>Whether the consumer queues are quorum queues (<see cref="QueueTypeKey"/>); throws on a value that is neither type.</summary>
    public static bool QuorumQueues(IConfiguration configuration)
    {
        var type = configuration[QueueTypeKey] ?? "quorum";
        return type.ToLowerInvariant() switch
        {
            "quorum" => true,
            "classic" => false,
            _ => throw new InvalidConfigurationException($"{QueueTypeKey} must be quorum or classic, not '{type}'."),
        };
    }

    private static bool IsInMemory(IConfiguration configuration)
    {
        var transport = configuration[TransportKey] ?? "RabbitMq";
        return transport.ToLowerInvariant() switch
        {
            "rabbitmq" => false,
            "inmemory" => true,
            _ => throw new InvalidConfigurationException($"{TransportKey} must be RabbitMq or InMemory, not '{transport}'."),
        };
    }

    private static List<Action<IBusRegistrationConfigurator>> Registrations(IServiceCollection services)
    {
        var holder = services.FirstOrDefault(d => d.ServiceType == typeof(ConsumerRegistrations))?.ImplementationInstance as ConsumerRegistrations;
        if (holder is null)
        {
            holder = new ConsumerRegistrations();
            services.AddSingleton(holder);
        }

        return holder.Items;
    }

    private sealed class ConsumerRegistrations
    {
        public List<Action<IBusRegistrationConfigurator>> Items { get; } = [];
    }
}
