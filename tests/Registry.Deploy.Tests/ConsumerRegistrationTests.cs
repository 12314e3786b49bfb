using System.Reflection;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.Custody;
using Registry.Intake;
using Registry.Medical;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Deploy.Tests;

/// <summary>
/// What holds for every consumer of the three services, checked over their assemblies and
/// registrations rather than one by one, so that a new one cannot slip past.
/// </summary>
public sealed class ConsumerRegistrationTests
{
    private static readonly Assembly[] Services = [typeof(IntakeModule).Assembly, typeof(CustodyModule).Assembly, typeof(MedicalModule).Assembly];

    [Fact]
    public void Every_consumer_is_registered_with_the_definition_that_applies_the_inbox()
    {
        var builder = Host.CreateApplicationBuilder();
        foreach (var connection in new[] { IntakeModule.ConnectionName, CustodyModule.ConnectionName, MedicalModule.ConnectionName })
        {
            builder.Configuration[$"ConnectionStrings:{connection}"] = "Host=unused"; // registering opens no connection
        }

        builder.Configuration[RegistryBus.TransportKey] = "InMemory";
        builder.AddIntake();
        builder.AddCustody();
        builder.AddMedical();
        builder.AddRegistryBus();

        var consumers = Services.SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConsumer).IsAssignableFrom(t))
            .ToList();
        Assert.Equal(22, consumers.Count); // incl. custody's and medical's CaseRegisteredBundle and CasesMerged consumers, intake's DeathRecorded and WeeklyHealthReport consumers, custody's three following medical, intake's three and medical's three for custody's lifecycle
        var registered = builder.Services.Where(d => typeof(IConsumer).IsAssignableFrom(d.ServiceType)).Select(d => d.ServiceType).ToHashSet();
        Assert.Equal(consumers.ToHashSet(), registered);
        // MassTransit registers IConsumerDefinition<T> as a factory forwarding to the definition type: ask the container.
        using var container = builder.Services.BuildServiceProvider();
        foreach (var consumer in consumers)
        {
            var definition = container.GetService(typeof(IConsumerDefinition<>).MakeGenericType(consumer));
            Assert.True(definition is not null && DerivesFrom(definition.GetType(), typeof(RegistryConsumerDefinition<,>)),
                $"{consumer} is registered without a RegistryConsumerDefinition: it would run without the inbox and the retry policy.");
        }
    }

    private static bool DerivesFrom(Type type, Type openGeneric)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == openGeneric)
            {
                return true;
            }
        }

        return false;
    }
}
