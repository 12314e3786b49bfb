using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>Per-client limits at the gateway and what each role sees of a case file.</summary>
[Collection(RegistryCollection.Name)]
public sealed class CallerLimitTests(RegistryFixture registry)
{
    [Fact]
    public async Task A_noisy_client_is_throttled_with_retry_info_while_another_is_served()
    {
        // A gateway whose default bucket holds 5 calls and refills one a minute.
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["RateLimits__Default__TokenLimit"] = "5",
            ["RateLimits__Default__TokensPerPeriod"] = "1",
            ["RateLimits__Default__ReplenishmentPeriod"] = "00:01:00",
        });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var noisy = new IntakeService.IntakeServiceClient(TestCallers.As(channel, "UA-SSO", RegistryRoles.Coordinator));
        var quiet = new IntakeService.IntakeServiceClient(TestCallers.As(channel, "UA-POW-HQ", RegistryRoles.Coordinator));

        var outcomes = new List<StatusCode>();
        RpcException? throttled = null;
        for (var i = 0; i < 12; i++)
        {
            try
            {
                await noisy.ListOverdueAsync(new ListOverdueRequest { PageSize = 5 }, deadline: RegistryFixture.CallDeadline);
                outcomes.Add(StatusCode.OK);
            }
            catch (RpcException ex)
            {
                outcomes.Add(ex.StatusCode);
                throttled ??= ex.StatusCode == StatusCode.ResourceExhausted ? ex : null;
            }
        }

        Assert.True(outcomes.Count(s => s == StatusCode.OK) == 5, string.Join(", ", outcomes));
        Assert.Equal(7, outcomes.Count(s => s == StatusCode.ResourceExhausted));
        Assert.NotNull(throttled);
        var retry = throttled.GetRpcStatus()!.GetDetail<RetryInfo>();
        Assert.True(retry.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        Assert.Contains("client 'test-ua-sso-coordinator'", throttled.Status.Detail, StringComparison.Ordinal);

        // The other agency's client has its own bucket.
        await quiet.ListOverdueAsync(new ListOverdueRequest { PageSize = 5 }, deadline: RegistryFixture.CallDeadline);

        // Over HTTP/JSON the same bucket says so as HTTP does: 429, Retry-After, and the status as JSON (not a gRPC answer).
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };
        using var json = new HttpRequestMessage(HttpMethod.Get, "/v1/overdue?pageSize=5");
        json.Headers.Authorization = new("Bearer", await (await TestAuthority.GetAsync()).TokenAsync("UA-SSO", [RegistryRoles.Coordinator]));
        using var response = await http.SendAsync(json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 429, $"{(int)response.StatusCode} {body}");
        Assert.NotNull(response.Headers.RetryAfter);
        using var status = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal((int)StatusCode.ResourceExhausted, status.RootElement.GetProperty("code").GetInt32());
        Assert.Contains(status.RootElement.GetProperty("details").EnumerateArray(),
            d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.RetryInfo");
    }

    [Fact]
    public async Task The_gateway_serves_tls_on_its_public_port_with_a_configured_certificate()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=registry-gateway-test", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var path = Path.Combine(Path.GetTempPath(), $"registry-gateway-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test-only"));
        try
        {
            await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
            {
                ["Ports__GrpcCertificatePath"] = path,
                ["Ports__GrpcCertificatePassword"] = "test-only",
            });
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
            using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{gateway.GrpcPort}", new GrpcChannelOptions { HttpHandler = handler });

            var overdue = new IntakeService.IntakeServiceClient(TestCallers.As(channel, "UA-POW-HQ", RegistryRoles.Coordinator));
            await overdue.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 }, deadline: RegistryFixture.CallDeadline);

            // HTTP/JSON over TLS on the same port (HTTP/1.1, negotiated by ALPN): what agency systems outside the private network use.
            var jsonHandler = new SocketsHttpHandler();
            jsonHandler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
            using var https = new HttpClient(jsonHandler) { BaseAddress = new Uri($"https://127.0.0.1:{gateway.GrpcPort}") };
            using var json = new HttpRequestMessage(HttpMethod.Get, "/v1/overdue?pageSize=1");
            json.Headers.Authorization = new("Bearer", await (await TestAuthority.GetAsync()).TokenAsync("UA-POW-HQ", [RegistryRoles.Coordinator]));
            using var answered = await https.SendAsync(json);
            Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
            Assert.Equal(new Version(1, 1), answered.Version);

            // Plaintext HTTP/2 is not spoken there any more.
            using var plain = GrpcChannel.ForAddress(gateway.GrpcAddress);
            await Assert.ThrowsAsync<RpcException>(() => new IntakeService.IntakeServiceClient(TestCallers.As(plain, "UA-POW-HQ", RegistryRoles.Coordinator))
                .ListOverdueAsync(new ListOverdueRequest { PageSize = 1 }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_intake_officer_sees_identity_custody_and_the_medical_summary_and_a_partner_nothing_unshared()
    {
        var registered = (await new IntakeService.IntakeServiceClient(registry.GatewayChannel)
            .RegisterCaptureAsync(SeedStory.Sniper(), deadline: RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(new CaseFileService.CaseFileServiceClient(registry.GatewayChannel), registered.CaseId);
        var officer = new CaseFileService.CaseFileServiceClient(TestCallers.As(registry.GatewayRawChannel, registered.Capture.CapturingAgency, RegistryRoles.IntakeOfficer));

        var file = (await officer.GetCaseFileAsync(new GetCaseFileRequest { CaseId = registered.CaseId }, deadline: RegistryFixture.CallDeadline)).CaseFile;

        Assert.Equal(registered.CaseId, file.Identity.Case.CaseId);
        Assert.Equal(registered.CaseNumber, file.Custody.Record.CaseNumber);
        Assert.Equal(MedicalPart.ResultOneofCase.Summary, file.Medical.ResultCase);

        // A partner with nothing shared gets no case file at all.
        var partner = new CaseFileService.CaseFileServiceClient(TestCallers.As(registry.GatewayRawChannel, "KR-NIS", RegistryRoles.Partner));
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            partner.GetCaseFileAsync(new GetCaseFileRequest { CaseId = registered.CaseId }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }
}
