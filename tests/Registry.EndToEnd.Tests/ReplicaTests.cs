using Grpc.Core;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// A service in two replicas behind one gateway (<c>Services:Intake</c> naming both): the gateway's proxy and its own
/// clients (the case file) balance across them, and when either replica is killed the registry keeps answering from
/// the other, every registration stored once (clients retry UNAVAILABLE with the same request_id).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ReplicaTests(RegistryFixture registry, ITestOutputHelper output)
{
    [Fact]
    public async Task With_two_intake_replicas_the_gateway_answers_through_either_when_the_other_is_killed()
    {
        await using var database = await registry.Infrastructure.TemporaryDatabaseAsync("e2e_replicas_intake");
        var broker = await registry.Infrastructure.CreateVirtualHostAsync("e2e_replicas");
        var replicas = new[] { new Replica(database.ConnectionString, broker), new Replica(database.ConnectionString, broker) };
        try
        {
            await Task.WhenAll(replicas.Select(r => r.StartAsync()));
            await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
            {
                ["Services__Intake"] = string.Join(",", replicas.Select(r => r.Address)),
                // Probe often, so a killed replica leaves the proxy's rotation within the test's first calls.
                ["Services__HealthCheckInterval"] = "00:00:01",
            });
            using var channel = RegistryFixture.AgencyChannel(gateway.GrpcAddress);
            var intake = new IntakeService.IntakeServiceClient(TestCallers.Operator(channel));
            var caseFiles = new CaseFileService.CaseFileServiceClient(TestCallers.Operator(channel));
            var requests = new List<string>();

            await RegisterAsync(intake, requests, 10);
            for (var killed = 0; killed < 2; killed++)
            {
                var survivor = replicas[1 - killed];
                await replicas[killed].Process!.KillAsync();
                output.WriteLine($"killed replica {killed + 1}; replica {2 - killed} answers alone");
                // Two missed probes (1 s apart) take it out of the proxy's rotation; until then a call that reaches it is
                // retried by the channel, which this test need not count on.
                await Task.Delay(TimeSpan.FromSeconds(3));

                // Through the proxy: every registration is answered (an attempt that reached the dead replica is retried).
                var caseId = await RegisterAsync(intake, requests, 10);

                // Through the gateway's own client: the case file's identity comes from the live replica, ten times in a row.
                for (var i = 0; i < 10; i++)
                {
                    var file = (await caseFiles.GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId }, deadline: RegistryFixture.CallDeadline)).CaseFile;
                    Assert.True(file.Identity.ResultCase == IdentityPart.ResultOneofCase.Case, $"case file {i + 1} after killing replica {killed + 1}: identity {file.Identity}");
                }

                Assert.True(survivor.Process!.IsRunning, "the other replica kept running");
                await replicas[killed].StartAsync();
            }

            // Every request stored once, on the one database both replicas share.
            Assert.Equal(requests.Count, await RegistryFixture.CountAsync(database.ConnectionString, """SELECT count(*) FROM cases"""));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            await registry.Infrastructure.DeleteVirtualHostAsync(broker);
        }
    }

    /// <summary>Registers <paramref name="count"/> captures, one request id each; returns the last case's id.</summary>
    private static async Task<string> RegisterAsync(IntakeService.IntakeServiceClient intake, List<string> requests, int count)
    {
        var caseId = "";
        for (var i = 0; i < count; i++)
        {
            var request = SeedStory.Rifleman();
            request.RequestId = Guid.NewGuid().ToString();
            requests.Add(request.RequestId);
            caseId = (await intake.RegisterCaptureAsync(request, deadline: RegistryFixture.CallDeadline)).Case.CaseId;
        }

        return caseId;
    }

    /// <summary>One intake replica on fixed ports, so a restart comes back at the address the gateway knows.</summary>
    private sealed class Replica(string database, string broker) : IAsyncDisposable
    {
        private readonly int _grpcPort = FreePort.Next();
        private readonly int _httpPort = FreePort.Next();

        public ServiceProcess? Process { get; private set; }

        public string Address => $"http://127.0.0.1:{_grpcPort}";

        public async Task StartAsync()
        {
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }

            Process = await ServiceProcess.StartAsync("Intake", Path.Combine("services", "Registry.Intake"), _grpcPort, _httpPort,
                new Dictionary<string, string>((await TestAuthority.GetAsync()).ServiceEnvironment)
                {
                    ["Ports__Grpc"] = _grpcPort.ToString(),
                    ["Ports__Http"] = _httpPort.ToString(),
                    ["ConnectionStrings__Intake"] = database,
                    ["ConnectionStrings__RabbitMq"] = broker,
                });
        }

        public async ValueTask DisposeAsync()
        {
            if (Process is not null)
            {
                await TestCleanup.TryAsync("stop an intake replica", async () => await Process.DisposeAsync());
            }
        }
    }
}
