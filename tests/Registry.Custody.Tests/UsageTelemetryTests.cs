using System.Diagnostics;
using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Tests;

/// <summary>
/// A registry of prisoners makes no outbound call that its operators did not configure: the bus, set up
/// as every service sets it up, sends MassTransit's usage telemetry nowhere. Runs alone (its collection is not run in
/// parallel with the others): the listener hears every HTTP request of the process, and another test's request whose
/// activity began before the listener carries no address, only "GET" (seen once in CI).
/// </summary>
[Collection(Name)]
public sealed class UsageTelemetryTests
{
    public const string Name = "usage telemetry (alone)";

    [Fact]
    public async Task The_bus_makes_no_http_request_to_anyone_when_it_starts_and_stops()
    {
        var hosts = new List<string>();
        using var listener = new ActivityListener
        {
            // HttpClient starts an activity of this source for every request it sends.
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            // The request's address is among its tags once it has ended (as the semantic conventions name it).
            ActivityStopped = activity =>
            {
                lock (hosts)
                {
                    hosts.Add(activity.GetTagItem("server.address") as string
                        ?? (activity.GetTagItem("url.full") is string url ? new Uri(url).Host : activity.DisplayName));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[RegistryBus.TransportKey] = "InMemory";
        // MassTransit would otherwise wait at least 30 s before reporting; on shutdown it reports at once,
        // if usage telemetry is on at all. Only the timing is changed here, never whether it is on.
        builder.AddRegistryConsumers(bus => bus.ConfigureUsageTelemetryOptions(o => o.ReportOnShutdown = true));
        builder.AddRegistryBus();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<IBus>().Publish(new Contracts.PatientHospitalised
            {
                CaseId = Guid.NewGuid(), HospitalisedAt = DateTimeOffset.UtcNow, Hospital = "Military hospital",
            });
            await host.StopAsync();
        }
        finally
        {
            // MassTransit's usage tracker is asynchronously disposable only; disposing it is when it reports.
            await ((IAsyncDisposable)host).DisposeAsync();
        }

        // The listener sees requests: one to a closed local port (which fails, as intended).
        using (var http = new HttpClient())
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("http://127.0.0.1:9/"));
        }

        lock (hosts)
        {
            Assert.Contains("127.0.0.1", hosts);
            // Other tests of this process talk to the local test servers; nothing may leave the machine.
            Assert.DoesNotContain(hosts, h => !IsLocal(h));
        }
    }

    private static bool IsLocal(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}

[CollectionDefinition(UsageTelemetryTests.Name, DisableParallelization = true)]
public sealed class UsageTelemetryCollection;
