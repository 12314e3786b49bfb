using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Common.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Deploy.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// The embedded host as a newcomer runs it: one process, SQLite files, the in-memory bus, the Aspire
/// dashboard beside it, its own authorization server with the demo's development clients. No PostgreSQL or
/// RabbitMQ is involved. Every call carries a token of a client read from the dev-clients.json the host wrote.
/// </summary>
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"registry-embedded-{Guid.NewGuid():N}");
    private readonly int _gateway = FreePort.Next();
    private readonly int _http = FreePort.Next();
    private readonly int _intake = FreePort.Next();
    private readonly int _dashboard = FreePort.Next();
    private readonly Dictionary<string, string> _settings;

    public EmbeddedModeTests()
    {
        _settings = new Dictionary<string, string>
        {
            ["Embedded__DataPath"] = _data,
            ["Embedded__GatewayPort"] = _gateway.ToString(),
            ["Embedded__IntakePort"] = _intake.ToString(),
            ["Embedded__CustodyPort"] = FreePort.Next().ToString(),
            ["Embedded__MedicalPort"] = FreePort.Next().ToString(),
            ["Embedded__HttpPort"] = _http.ToString(),
            ["Embedded__IdentityPort"] = FreePort.Next().ToString(),
            ["Embedded__DashboardPort"] = _dashboard.ToString(),
            ["Embedded__DashboardOtlpPort"] = FreePort.Next().ToString(),
        };
    }

    [Fact]
    public async Task The_embedded_registry_replays_the_demo_traces_a_registration_and_keeps_its_data_across_a_restart()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        Case registered;
        string secrets;

        await using (var first = await StartAsync())
        {
            using var callers = EmbeddedCallers.Read(_data, first.GrpcAddress);
            secrets = string.Join(",", callers.Clients.Clients.Select(c => c.Secret));
            // First run: the seed story's two soldiers are replayed through the gateway.
            await Eventually.TrueAsync(() => Task.FromResult(first.Output.Contains("Demo: RC-000002")),
                TimeSpan.FromSeconds(120), "the demo to register both soldiers", () => first.Output);
            Assert.Contains("Demo: RC-000001 (born 2005", first.Output);
            await Eventually.TrueAsync(() => Task.FromResult(first.Output.Contains("Demo: questioned in Kyiv")),
                TimeSpan.FromSeconds(120), "the demo to take custody to the open end", () => first.Output);
            Assert.Contains("0 exchanged, 2 held back (RC-000001: NON_REFOULEMENT_HOLD, RC-000002: NON_REFOULEMENT_HOLD)", first.Output);

            await AssertTheSniperIsHeldInKyivTreatedAndCertifiedAsync(callers);
            var caller = new Metadata { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01" } };
            registered = (await new IntakeService.IntakeServiceClient(callers.IntakeOfficer).RegisterCaptureAsync(Capture(), caller)).Case;
            Assert.Equal("RC-000003", registered.CaseNumber);
            await WholeCaseFileAsync(callers.Coordinator, registered.CaseId);
            await AssertHttpJsonAtTheGatewayOnlyAsync(callers, registered.CaseId);

            var services = await Eventually.GetAsync(() => ServicesInDashboardTraceAsync(traceId), TimeSpan.FromSeconds(60),
                $"trace {traceId} in the dashboard from gateway, intake, custody and medical");
            Assert.Subset(services, new HashSet<string> { "gateway", "intake", "custody", "medical" });

            // Ctrl+C stops the host and the dashboard with it.
            await first.StopAsync(TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(() => Task.FromResult(!Listening(_dashboard)), TimeSpan.FromSeconds(10), "the dashboard to stop");
        }

        await using (var second = await StartAsync())
        {
            // The development secrets of the first start are kept, so a token command printed then still works.
            using var callers = EmbeddedCallers.Read(_data, second.GrpcAddress);
            Assert.Equal(secrets, string.Join(",", callers.Clients.Clients.Select(c => c.Secret)));
            var channel = callers.Coordinator;
            var read = (await new IntakeService.IntakeServiceClient(channel).GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case;
            Assert.Equal(registered, read);
            var file = await WholeCaseFileAsync(channel, registered.CaseId);
            Assert.Equal(registered.CaseNumber, file.Custody.Record.CaseNumber);
            Assert.DoesNotContain("Demo:", second.Output);
        }
    }

    /// <summary>
    /// HTTP/JSON is the gateway's, on its HTTP/1.1 port, as in the separate processes: the case file reads back, and the
    /// OpenAPI document lists each RPC once (the services' modules share the process, and their own transcoded
    /// endpoints must neither match nor be documented beside the gateway's).
    /// </summary>
    private async Task AssertHttpJsonAtTheGatewayOnlyAsync(EmbeddedCallers callers, string caseId)
    {
        using var http = callers.HttpAs(new Uri($"http://127.0.0.1:{_http}"), RegistryRoles.Coordinator);
        using var file = await http.GetAsync($"/v1/cases/{caseId}/file");
        var text = await file.Content.ReadAsStringAsync();
        Assert.True(file.IsSuccessStatusCode, text);
        using (var json = System.Text.Json.JsonDocument.Parse(text))
        {
            Assert.Equal(caseId, json.RootElement.GetProperty("caseFile").GetProperty("caseId").GetString());
        }

        using var openApi = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var operations = openApi.RootElement.GetProperty("paths").EnumerateObject().Sum(p => p.Value.EnumerateObject().Count());
        var rpcs = new[] { IntakeService.Descriptor, CustodyService.Descriptor, MedicalService.Descriptor, CaseFileService.Descriptor, Registry.Protos.Gateway.V1.AuditService.Descriptor }
            .Sum(s => s.Methods.Count);
        Assert.Equal(rpcs, operations);

        // Intake's own port (HTTP/2, as its process would serve it) has no JSON route: JSON enters at the gateway.
        using var direct = callers.HttpAs(new Uri($"http://127.0.0.1:{_intake}"), RegistryRoles.Coordinator);
        direct.DefaultRequestVersion = System.Net.HttpVersion.Version20;
        direct.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var bypass = await direct.GetAsync($"/v1/cases/{caseId}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, bypass.StatusCode);
        // /metrics answers on the HTTP/1.1 port only, as in the services' own processes.
        using var metrics = await direct.GetAsync("/metrics");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Contains("registry_gc3_overdue", await http.GetStringAsync("/metrics"));
    }

    /// <summary>What the demo put in the registry, read back through the gateway as an agency would.</summary>
    private static async Task AssertTheSniperIsHeldInKyivTreatedAndCertifiedAsync(EmbeddedCallers callers)
    {
        var channel = callers.Coordinator;
        var found = await new IntakeService.IntakeServiceClient(channel).SearchCasesAsync(new SearchCasesRequest { Name = "광순", PageSize = 10 });
        var sniper = Assert.Single(found.Cases);
        Assert.Equal(1999, sniper.Identity.DateOfBirth.Year);
        Assert.Equal("sniper-reconnaissance", sniper.Identity.Role);

        var file = (await new CaseFileService.CaseFileServiceClient(channel).GetCaseFileAsync(new GetCaseFileRequest { CaseId = sniper.CaseId })).CaseFile;
        Assert.Equal(CustodyState.Held, file.Custody.Record.State);
        Assert.Equal("Kyiv", file.Custody.Record.Facility.Locality);
        Assert.Equal("UA-SBU", file.Custody.Record.CustodianAgency);
        Assert.Equal(MedicalStatus.UnderTreatment, file.Medical.Summary.Status);
        // Custody to the open end: questioned in Korean, a high risk on return holds him back (GC III Art. 17, 118).
        Assert.Equal(("ko", "KR-NIS"), (file.Custody.Record.LastInterview.Language, Assert.Single(file.Custody.Record.LastInterview.Present).Agency));
        Assert.Equal((ReturnRisk.High, ReturnWish.DoesNotWishToReturn), (file.Custody.Record.ReturnRisk, file.Custody.Record.ReturnWish));
        Assert.Contains("high", file.Custody.Record.NonRefoulementHold);
        var swap = Assert.Single((await new CustodyService.CustodyServiceClient(channel).ListExchangeListsAsync(new ListExchangeListsRequest { PageSize = 10 })).ExchangeLists);
        Assert.Equal((ExchangeListState.Executed, "KP"), (swap.State, swap.Counterpart.State));

        // Clinical detail: the medic's only (GC III Art. 30-31).
        var record = await new MedicalService.MedicalServiceClient(callers.Medic).GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = sniper.CaseId });
        var injury = Assert.Single(record.Conditions);
        Assert.Equal("face, jaw", injury.BodySite);
        Assert.Contains("grenade", injury.Cause);

        // The care that followed: hospitalised for surgery and discharged, fit for interview, a certificate in Korean.
        var medic = new MedicalService.MedicalServiceClient(callers.Medic);
        var stay = Assert.Single((await medic.ListHospitalStaysAsync(new ListHospitalStaysRequest { CaseId = sniper.CaseId, PageSize = 10 })).Stays);
        Assert.NotNull(stay.DischargedAt);
        var certificate = Assert.Single((await medic.ListTreatmentCertificatesAsync(new ListTreatmentCertificatesRequest { CaseId = sniper.CaseId, PageSize = 10 })).Certificates);
        Assert.Equal(("ko", injury.ConditionId), (certificate.Language, Assert.Single(certificate.ConditionIds)));
        Assert.Equal("application/pdf", (await medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = certificate.CertificateId })).ContentType);
        var fitness = await new MedicalService.MedicalServiceClient(callers.Custodian).GetFitnessAsync(new GetFitnessRequest
        {
            CaseId = sniper.CaseId, Purpose = FitnessPurpose.Interview, At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero)),
        });
        Assert.Equal((FitnessStanding.InForce, FitnessOutcome.Fit), (fitness.Standing, fitness.Assessment.Outcome));
    }

    private Task<ServiceProcess> StartAsync() =>
        ServiceProcess.StartAsync("Embedded", Path.Combine("deploy", "Registry.Embedded"), _gateway, _http, _settings);

    private async Task<HashSet<string>?> ServicesInDashboardTraceAsync(string traceId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var response = await http.GetAsync($"http://127.0.0.1:{_dashboard}/api/telemetry/traces/{traceId}");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var services = json.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(r => r.GetProperty("resource").GetProperty("attributes").EnumerateArray())
            .Where(a => a.GetProperty("key").GetString() == "service.name")
            .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString()!)
            .ToHashSet();
        return services.IsSupersetOf(["gateway", "intake", "custody", "medical"]) ? services : null;
    }

    private static Task<CaseFile> WholeCaseFileAsync(GrpcChannel channel, string caseId) =>
        Eventually.GetAsync(async () =>
        {
            var file = (await new CaseFileService.CaseFileServiceClient(channel).GetCaseFileAsync(new GetCaseFileRequest { CaseId = caseId })).CaseFile;
            return file.Custody.ResultCase == CustodyPart.ResultOneofCase.Record && file.Medical.ResultCase == MedicalPart.ResultOneofCase.Summary
                ? file
                : null;
        }, TimeSpan.FromSeconds(60), $"the whole case file of {caseId}");

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static RegisterCaptureRequest Capture() => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Identity = new Identity { FamilyName = "김", GivenNames = "철", DateOfBirth = new PartialDate { Year = 2001, Month = 4 }, Nationality = "KP" },
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 12, 6, 0, 0, TimeSpan.Zero)),
            Place = "Kursk region",
            CapturingUnit = "Special Operations Forces",
            CapturingAgency = "UA-SSO",
        },
    };

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
