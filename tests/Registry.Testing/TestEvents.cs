using System.Collections.Concurrent;
using MassTransit;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Testing;

/// <summary>
/// Records every event of the given types that arrives on one queue of a virtual host, as a further
/// consumer of the registry's events would.
/// </summary>
public sealed class TestEvents : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private TestEvents(IBusControl bus) => _bus = bus;

    public ConcurrentQueue<(Guid? MessageId, object Message)> Received { get; } = new();

    public IEnumerable<T> Of<T>() => Received.Select(r => r.Message).OfType<T>();

    /// <summary>Waits for the first event of type <typeparamref name="T"/> that satisfies <paramref name="match"/>.</summary>
    public Task<T> WaitForAsync<T>(Func<T, bool> match, string what) where T : class =>
        Eventually.GetAsync(() => Task.FromResult(Of<T>().FirstOrDefault(match)), TimeSpan.FromSeconds(30), what);

    public static Task<TestEvents> StartAsync(string amqpUri, string queue, params Type[] types) =>
        StartAsync(amqpUri, queue, concurrentMessageLimit: null, types);

    /// <summary>
    /// As <see cref="StartAsync(string, string, Type[])"/>; with <paramref name="concurrentMessageLimit"/> 1 the events are
    /// recorded one at a time, in the order the queue delivers them (by default several run at once and may be recorded in
    /// any order).
    /// </summary>
    public static async Task<TestEvents> StartAsync(string amqpUri, string queue, int? concurrentMessageLimit, params Type[] types)
    {
        TestEvents? events = null;
        var address = RabbitMqAddress.Parse(amqpUri);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
            {
                h.Username(address.Username);
                h.Password(address.Password);
            });
            cfg.ReceiveEndpoint(queue, e =>
            {
                if (concurrentMessageLimit is { } limit)
                {
                    e.PrefetchCount = limit;
                    e.ConcurrentMessageLimit = limit;
                }

                foreach (var type in types)
                {
                    typeof(TestEvents).GetMethod(nameof(Record), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                        .MakeGenericMethod(type).Invoke(null, [e, (Func<TestEvents>)(() => events!)]);
                }
            });
        });
        events = new TestEvents(bus);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(timeout.Token);
        return events;
    }

    private static void Record<T>(IRabbitMqReceiveEndpointConfigurator endpoint, Func<TestEvents> events) where T : class =>
        endpoint.Handler<T>(context =>
        {
            events().Received.Enqueue((context.MessageId, context.Message));
            return Task.CompletedTask;
        });

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
