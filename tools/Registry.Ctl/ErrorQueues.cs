using RabbitMQ.Client;

namespace Registry.Ctl;

/// <summary>
/// A consumer that still fails after its retries parks the message in <c>&lt;queue&gt;_error</c>
/// (MassTransit's convention), with <c>MT-Fault-*</c> headers saying why. Once the cause is fixed, an
/// operator moves the messages back to the queue; the consumer's inbox makes a message that had in
/// fact been applied harmless.
/// </summary>
public static class ErrorQueues
{
    /// <summary>
    /// Moves what <c>{queue}_error</c> holds now (never more, so a message that fails again is not
    /// moved round in a loop) back to <paramref name="queue"/>, each one published with a broker
    /// confirm before it is acknowledged in the error queue: a crash moves a message twice at worst,
    /// never loses it. Returns how many were moved.
    /// </summary>
    public static async Task<int> MoveBackAsync(string amqpUri, string queue, int? max = null, CancellationToken ct = default)
    {
        var errorQueue = queue + "_error";
        var factory = new ConnectionFactory { Uri = new Uri(amqpUri), ClientProvidedName = "registryctl" };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);

        // Both must exist: a typo must not publish into the void.
        await channel.QueueDeclarePassiveAsync(queue, ct);
        var waiting = (await channel.QueueDeclarePassiveAsync(errorQueue, ct)).MessageCount;
        var limit = Math.Min(waiting, (uint)(max ?? int.MaxValue));

        var moved = 0;
        while (moved < limit)
        {
            var message = await channel.BasicGetAsync(errorQueue, autoAck: false, ct);
            if (message is null)
            {
                break;
            }

            var properties = new BasicProperties(message.BasicProperties);
            if (properties.Headers is { } headers)
            {
                // The fault description belongs to the failed attempt; a new failure writes its own.
                foreach (var key in headers.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k == "MT-Reason").ToList())
                {
                    headers.Remove(key);
                }
            }

            // Default exchange, routing key = queue name: straight into the consumer's queue, not to
            // every subscriber of the message type again.
            await channel.BasicPublishAsync(exchange: "", routingKey: queue, mandatory: true, basicProperties: properties, body: message.Body, ct);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
            moved++;
        }

        return moved;
    }
}
