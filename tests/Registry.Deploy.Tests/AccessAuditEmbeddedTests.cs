using Grpc.Net.Client;
using Registry.Protos.Audit.V1;
using Registry.Protos.Gateway.V1;
using Registry.Testing;
using AuditClient = Registry.Protos.Audit.V1.AccessAuditService.AccessAuditServiceClient;
using GatewayListRequest = Registry.Protos.Gateway.V1.ListAccessEventsRequest;
using ListAccessEventsRequest = Registry.Protos.Audit.V1.ListAccessEventsRequest;

namespace Registry.Deploy.Tests;

/// <summary>
/// The embedded host runs the three modules in one process with one DI container: each module's port serves
/// registry.audit.v1 from that module's own SQLite store (not the last one registered), and the gateway merges them.
/// </summary>
public sealed class AccessAuditEmbeddedTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"registry-embedded-audit-{Guid.NewGuid():N}");
    private readonly int _gateway = FreePort.Next();
    private readonly int _http = FreePort.Next();
    private readonly Dictionary<string, int> _ports = new()
    {
        ["intake"] = FreePort.Next(),
        ["custody"] = FreePort.Next(),
        ["medical"] = FreePort.Next(),
    };

    [Fact]
    public async Task Each_modules_port_audits_into_its_own_store_and_the_gateway_merges_them()
    {
        await using var host = await ServiceProcess.StartAsync("Embedded", Path.Combine("deploy", "Registry.Embedded"), _gateway, _http, new Dictionary<string, string>
        {
            ["Embedded__DataPath"] = _data,
            ["Embedded__GatewayPort"] = _gateway.ToString(),
            ["Embedded__IntakePort"] = _ports["intake"].ToString(),
            ["Embedded__CustodyPort"] = _ports["custody"].ToString(),
            ["Embedded__MedicalPort"] = _ports["medical"].ToString(),
            ["Embedded__HttpPort"] = _http.ToString(),
            ["Embedded__IdentityPort"] = FreePort.Next().ToString(),
            ["Embedded__Dashboard"] = "false",
            ["Embedded__Demo"] = "false",
        });

        var caseId = Guid.NewGuid().ToString();
        // ReportRefusal is open (the gateway reports callers it refused); reading the audit is the auditor's.
        var channels = _ports.ToDictionary(p => p.Key, p => GrpcChannel.ForAddress($"http://127.0.0.1:{p.Value}"));
        var auditors = _ports.ToDictionary(p => p.Key, p => EmbeddedCallers.Read(_data, new Uri($"http://127.0.0.1:{p.Value}")));
        try
        {
            foreach (var service in new[] { "custody", "medical" })
            {
                await new AuditClient(channels[service]).ReportRefusalAsync(new ReportRefusalRequest
                {
                    // Without a token only an UNAUTHENTICATED refusal is recorded (anonymous), on an RPC of the table.
                    Method = service == "custody" ? "registry.custody.v1.CustodyService/GetCustodyRecord" : "registry.medical.v1.MedicalService/GetMedicalRecord",
                    StatusCode = "UNAUTHENTICATED",
                    Reason = $"refused at {service}",
                    CaseIds = { caseId },
                });
            }

            foreach (var (service, auditor) in auditors)
            {
                var events = (await new AuditClient(auditor.Auditor).ListAccessEventsAsync(new ListAccessEventsRequest { CaseId = caseId, PageSize = 10 })).Events;
                if (service == "intake")
                {
                    Assert.Empty(events);
                }
                else
                {
                    var only = Assert.Single(events);
                    // The module's own verdict on the (absent) credentials, not the report's text.
                    Assert.Equal((service, "UNAUTHENTICATED"), (only.Service, only.Outcome));
                    Assert.StartsWith("No access token", only.Reason);
                    Assert.EndsWith(service == "custody" ? "GetCustodyRecord" : "GetMedicalRecord", only.Method);
                }
            }

            using var gateway = EmbeddedCallers.Read(_data, host.GrpcAddress);
            var merged = await new AuditService.AuditServiceClient(gateway.Auditor).ListAccessEventsAsync(new GatewayListRequest { CaseId = caseId, PageSize = 10 });
            // By case: the two refusals. The auditor's own reads of each module's audit are audited too, listed by agency.
            Assert.Equal(["custody", "medical"], merged.Events.Select(e => e.Service));
            var reads = (await new AuditService.AuditServiceClient(gateway.Auditor).ListAccessEventsAsync(new GatewayListRequest { Agency = "UA-OMBUDSMAN", PageSize = 50 })).Events
                .Where(e => e.CaseIds.Contains(caseId)).ToList();
            Assert.Equal(["intake", "custody", "medical"], reads.Take(3).Select(e => e.Service));
            Assert.All(reads, e => Assert.Equal(("ua-ombudsman-auditor", "auditor", "OK"), (e.ClientId, e.Roles, e.Outcome)));
        }
        finally
        {
            foreach (var channel in channels.Values)
            {
                channel.Dispose();
            }

            foreach (var auditor in auditors.Values)
            {
                auditor.Dispose();
            }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }

        return Task.CompletedTask;
    }
}
