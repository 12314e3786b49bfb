using System.Collections.Concurrent;
using MassTransit;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Testing;

/// <summary>
/// A MassTransit bus of the test's own on a virtual host: publishes events as another service
/// would, and records what arrives on its own queue, as a further consumer would.
/// </summary>
public sealed class TestBus<TMessage> : IAsyncDisposable where TMessage : class
{
    private readonly IBusControl _bus;

    private TestBus(IBusControl bus) => _bus = bus;

    public ConcurrentQueue<ConsumeContext<TMessage>> Received { get; } = new();

    public IPublishEndpoint Publisher => _bus;

    public static async Task<TestBus<TMessage>> StartAsync(string amqpUri, string queue)
    {
        TestBus<TMessage>? testBus = null;
        var address = RabbitMqAddress.Parse(amqpUri);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
            {
                h.Username(address.Username);
                h.Password(address.Password);
            });
            cfg.ReceiveEndpoint(queue, e => e.Handler<TMessage>(context =>
            {
                testBus!.Received.Enqueue(context);
                return Task.CompletedTask;
            }));
        });
        testBus = new TestBus<TMessage>(bus);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(timeout.Token);
        return testBus;
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
