using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// What a consumer does when it throws (configuration section <c>Messaging:Retry</c>): it is tried
/// again in place, <see cref="Limit"/> more times with exponential backoff from
/// <see cref="MinInterval"/> to <see cref="MaxInterval"/> (a database restart or deadlock passes in
/// that time); after that MassTransit moves the message to <c>&lt;queue&gt;_error</c> with
/// <c>MT-Fault-*</c> headers, and nothing is lost. A message that can never be applied
/// (<see cref="MessageRefusedException"/>: a domain rule, a value the store cannot hold, a body that is not
/// the contract's JSON) is not retried: it goes to the error queue at once. Once the cause is fixed, <c>registryctl
/// move-errors &lt;queue&gt;</c> moves it back; the inbox keeps a message that was applied after all
/// from being applied twice. No delayed redelivery: it needs RabbitMQ's delayed-exchange plugin, which
/// the local servers do not have.
/// </summary>
public sealed class ConsumerRetry
{
    public const string Section = "Messaging:Retry";

    public int Limit { get; init; } = 6;
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan IntervalDelta { get; init; } = TimeSpan.FromMilliseconds(400);

    public static ConsumerRetry From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ConsumerRetry>() ?? new ConsumerRetry();
}

public static class ConsumerRetryExtensions
{
    /// <summary>The registry's retry policy (<see cref="ConsumerRetry"/>) on a consumer's receive endpoint.</summary>
    public static void UseRegistryRetry(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        var retry = ConsumerRetry.From(context.GetRequiredService<IConfiguration>());
        endpoint.UseMessageRetry(r =>
        {
            r.Exponential(retry.Limit, retry.MinInterval, retry.MaxInterval, retry.IntervalDelta);
            // What can never be applied is refused at the first attempt (MessageRefusedException).
            r.Ignore<MessageRefusedException>();
            r.Ignore<System.Text.Json.JsonException>();
        });
    }
}
