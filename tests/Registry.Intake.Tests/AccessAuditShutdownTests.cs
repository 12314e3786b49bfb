using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.ServiceDefaults.Security.Audit;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>The audit writer drains its queue when the service stops: every event accepted is committed, none dropped.</summary>
public sealed class AccessAuditShutdownTests
{
    [Fact]
    public async Task Events_queued_when_the_service_stops_are_all_committed_before_it_ends()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("Intake");
        var broker = await infrastructure.CreateVirtualHostAsync("Intake");
        try
        {
            var service = new ServiceFactory<IntakeGrpcService>(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Intake"] = database.ConnectionString,
                ["ConnectionStrings:RabbitMq"] = broker,
            });
            await service.WaitUntilReadyAsync();
            var writer = service.Services.GetRequiredService<AccessAuditWriter<IntakeDbContext>>();

            const int events = 300;
            var at = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
            var recorded = Enumerable.Range(0, events)
                .Select(i => writer.RecordAsync(AccessAuditTests.Event(at.AddSeconds(i), [], "UA-DRAIN", $"d{i}"), default))
                .ToList();
            await service.DisposeAsync();

            // Stopping returned only after the queue drained: every row is committed (below) and every caller is answered
            // with success. A caller's answer runs as a continuation on the thread pool (the writer completes callers
            // asynchronously), so it may trail the stop by a moment on a loaded machine: waited for, never dropped.
            await Task.WhenAll(recorded).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.All(recorded, r => Assert.True(r.IsCompletedSuccessfully, r.Exception?.ToString() ?? r.Status.ToString()));
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM access_events WHERE agency = 'UA-DRAIN'", connection);
            Assert.Equal(events, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            await infrastructure.DeleteVirtualHostAsync(broker);
        }
    }
}
