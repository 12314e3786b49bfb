using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Registry.Testing;

/// <summary>
/// Publishes an event as raw JSON in MassTransit's envelope straight to RabbitMQ, the way another
/// agency's system or an older version of a service could: nothing in this process (no serializer
/// setting, no converter of ours) touches the body on the way out.
/// </summary>
public static class RawBusMessage
{
    /// <param name="amqpUri">The virtual host's amqp:// URI.</param>
    /// <param name="entityName">The message type's exchange and URN name, e.g. <c>Registry.Contracts:CustodyTransferred</c>.</param>
    /// <param name="message">The message body, e.g. <c>{"caseId": "…", "transferredAt": "2025-01-12T10:00:00+02:00"}</c>.</param>
    public static async Task PublishAsync(string amqpUri, string entityName, Guid messageId, JsonObject message)
    {
        var envelope = new JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new JsonArray($"urn:message:{entityName}"),
            ["message"] = message,
            ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["headers"] = new JsonObject(),
        };
        var factory = new ConnectionFactory { Uri = new Uri(amqpUri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            ContentType = "application/vnd.masstransit+json",
            MessageId = messageId.ToString(),
            Persistent = true,
        };
        await channel.BasicPublishAsync(entityName, "", mandatory: false, properties,
            Encoding.UTF8.GetBytes(envelope.ToJsonString(new JsonSerializerOptions())));
    }
}
