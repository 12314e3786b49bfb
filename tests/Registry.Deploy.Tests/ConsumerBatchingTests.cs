using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.Contracts;
using Registry.Custody;
using Registry.Custody.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Deploy.Tests;

/// <summary>How batch consumers are configured (Messaging:Batch), and that none can run without the inbox.</summary>
public sealed class ConsumerBatchingTests
{
    [Theory]
    [InlineData("MessageLimit", "0", "MessageLimit must be 1 to 1000")]
    [InlineData("MessageLimit", "1001", "MessageLimit must be 1 to 1000")]
    [InlineData("TimeLimit", "00:00:00", "TimeLimit must be 1 ms to 10 s")]
    [InlineData("TimeLimit", "00:00:11", "TimeLimit must be 1 ms to 10 s")]
    [InlineData("ConcurrencyLimit", "0", "ConcurrencyLimit must be 1 to 16")]
    [InlineData("ConcurrencyLimit", "17", "ConcurrencyLimit must be 1 to 16")]
    public void A_setting_out_of_its_range_is_refused_naming_it(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{ConsumerBatching.Section}:{key}"] = value,
        }).Build();

        var error = Assert.Throws<InvalidConfigurationException>(() => ConsumerBatching.From(configuration));

        Assert.Contains($"{ConsumerBatching.Section}:{message}", error.Message);
    }

    [Fact]
    public void The_defaults_batch_a_hundred_messages_within_twenty_milliseconds()
    {
        var batching = ConsumerBatching.From(new ConfigurationBuilder().Build());

        Assert.Equal((100, TimeSpan.FromMilliseconds(20), 2), (batching.MessageLimit, batching.TimeLimit, batching.ConcurrencyLimit));
    }

    [Fact]
    public async Task A_batch_consumer_that_is_not_an_inbox_batch_consumer_stops_the_bus_from_starting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{CustodyModule.ConnectionName}"] = "Host=unused";
        builder.Configuration[RegistryBus.TransportKey] = "InMemory";
        builder.AddRegistryConsumers(bus => bus.AddConsumer<RogueBatchConsumer, RogueBatchConsumerDefinition>());
        builder.AddRegistryBus();
        await using var services = builder.Services.BuildServiceProvider();

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var bus = services.GetRequiredService<IBusControl>();
            await bus.StartAsync(CancellationToken.None);
            await bus.StopAsync(CancellationToken.None);
        });

        Assert.Contains("without deriving from InboxBatchConsumer", Flatten(error));
    }

    private static string Flatten(Exception error)
    {
        var text = new System.Text.StringBuilder();
        for (var e = error; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.Message);
        }

        return text.ToString();
    }

    public sealed class RogueBatchConsumer : IConsumer<Batch<CaseRegistered>>
    {
        public Task Consume(ConsumeContext<Batch<CaseRegistered>> context) => Task.CompletedTask;
    }

    public sealed class RogueBatchConsumerDefinition()
        : RegistryConsumerDefinition<RogueBatchConsumer, CustodyDbContext>("rogue-case-registered");
}
