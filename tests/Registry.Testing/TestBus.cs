using System.Collections.Concurrent;
using MassTransit;
using Registry.Contracts;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Testing;

/// <summary>
/// A MassTransit bus of the test's own on a virtual host: publishes events as another service
/// would, and records the <see cref="CaseRegistered"/> events that arrive on its own queue, as a further consumer
/// would: each under its own message id, whether it came alone or in a <see cref="CaseRegisteredBundle"/> (the
/// outbox's dispatcher bundles the events of one round).
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private TestBus(IBusControl bus) => _bus = bus;

    /// <summary>An event as it arrived: its own message id, and whether it came in a bundle.</summary>
    public sealed record Event(Guid? MessageId, CaseRegistered Message, bool Bundled);

    public ConcurrentQueue<Event> Received { get; } = new();

    public IPublishEndpoint Publisher => _bus;

    public static async Task<TestBus> StartAsync(string amqpUri, string queue)
    {
        TestBus? testBus = null;
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
                e.Handler<CaseRegistered>(context =>
                {
                    testBus!.Received.Enqueue(new Event(context.MessageId, context.Message, Bundled: false));
                    return Task.CompletedTask;
                });
                e.Handler<CaseRegisteredBundle>(context =>
                {
                    for (var i = 0; i < context.Message.Events.Count; i++)
                    {
                        testBus!.Received.Enqueue(new Event(context.Message.MessageIds[i], context.Message.Events[i], Bundled: true));
                    }

                    return Task.CompletedTask;
                });
            });
        });
        testBus = new TestBus(bus);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(timeout.Token);
        return testBus;
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
