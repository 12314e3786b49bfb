using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Hosting;

namespace Registry.ServiceDefaults.Telemetry;

/// <summary>
/// Reads from RabbitMQ how many messages wait in each of this process's consumer queues and in their error queues
/// (<c>&lt;queue&gt;_error</c>, MassTransit's convention) for <see cref="ConsumerMetrics.QueueDepth"/>: a passive
/// declare per queue (AMQP 0-9-1 <c>queue.declare</c> with <c>passive</c>, which answers the message count without
/// creating anything), on one connection kept open between readings with the service's own broker credentials. An
/// error queue that does not exist yet (nothing ever failed) counts 0.
/// </summary>
public sealed class BrokerQueueProbe(ConsumerQueues queues, IConfiguration configuration, ILogger<BrokerQueueProbe> logger) : IGaugeProbe, IAsyncDisposable
{
    private IConnection? _connection;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        foreach (var queue in queues.All)
        {
            ConsumerMetrics.Depth(queue, "work", await CountAsync(connection, queue, cancellationToken) ?? 0);
            ConsumerMetrics.Depth(queue, "error", await CountAsync(connection, queue + "_error", cancellationToken) ?? 0);
        }
    }

    /// <summary>The queue's message count, or null when it does not exist (the broker closes the channel with 404).</summary>
    private static async Task<long?> CountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true })
        {
            return _connection;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        var uri = configuration.GetConnectionString(RegistryBus.ConnectionName)
            ?? throw new InvalidConfigurationException($"ConnectionStrings:{RegistryBus.ConnectionName} is not set.");
        // Bounded waits: a broker that does not answer fails the reading (GaugeProbeService.ProbeTimeout), it does not hang it.
        var factory = new ConnectionFactory
        {
            Uri = new Uri(uri),
            ClientProvidedName = "registry-queue-probe",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ContinuationTimeout = TimeSpan.FromSeconds(5),
            HandshakeContinuationTimeout = TimeSpan.FromSeconds(5),
        };
        _connection = await factory.CreateConnectionAsync(cancellationToken);
        logger.LogDebug("Queue probe connected to the broker for {Queues} queues", queues.All.Count);
        return _connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
