using Grpc.Core;
using Grpc.Net.Client;
using Registry.Embedded.Credentials;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// The newcomer's path in the embedded mode: no token, no answer (UNAUTHENTICATED, through the gateway and
/// straight at a module's port); the development secrets in a file only its owner reads; the token command
/// the banner prints, run as printed (registryctl as a process), gives a token the gateway accepts.
/// </summary>
public sealed class EmbeddedTokenTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"registry-embedded-token-{Guid.NewGuid():N}");
    private readonly int _gateway = FreePort.Next();
    private readonly int _intake = FreePort.Next();
    private readonly int _http = FreePort.Next();

    [Fact]
    public async Task Calls_without_a_token_are_unauthenticated_and_the_token_command_of_the_banner_works()
    {
        await using var host = await ServiceProcess.StartAsync("Embedded", Path.Combine("deploy", "Registry.Embedded"), _gateway, _http, new Dictionary<string, string>
        {
            ["Embedded__DataPath"] = _data,
            ["Embedded__GatewayPort"] = _gateway.ToString(),
            ["Embedded__IntakePort"] = _intake.ToString(),
            ["Embedded__CustodyPort"] = FreePort.Next().ToString(),
            ["Embedded__MedicalPort"] = FreePort.Next().ToString(),
            ["Embedded__HttpPort"] = _http.ToString(),
            ["Embedded__IdentityPort"] = FreePort.Next().ToString(),
            ["Embedded__Dashboard"] = "false",
            ["Embedded__Demo"] = "false",
        });

        var search = new SearchCasesRequest { Name = "광순", PageSize = 10 };
        foreach (var address in new[] { host.GrpcAddress, new Uri($"http://127.0.0.1:{_intake}") })
        {
            using var anonymous = GrpcChannel.ForAddress(address);
            var refused = await Assert.ThrowsAsync<RpcException>(() => new IntakeService.IntakeServiceClient(anonymous).SearchCasesAsync(search).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Contains("No access token", refused.Status.Detail);
        }

        using (var anonymous = GrpcChannel.ForAddress(host.GrpcAddress))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                new CaseFileService.CaseFileServiceClient(anonymous).GetCaseFileAsync(new GetCaseFileRequest { CaseId = Guid.NewGuid().ToString() }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }

        var secrets = Path.Combine(_data, DevelopmentClientsFile.FileName);
        Assert.Contains($"secrets in {secrets}", host.Output);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));
        }

        Assert.Contains("DEVELOPMENT ONLY", File.ReadAllText(secrets));

        // The banner's line, as pasted: `dotnet run --project tools/Registry.Ctl -- token …`, run from registryctl's build output.
        var command = host.Output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("dotnet run --project tools/Registry.Ctl -- token ", StringComparison.Ordinal));
        var token = await RegistryCtlAsync(command["dotnet run --project tools/Registry.Ctl -- ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var found = await new IntakeService.IntakeServiceClient(channel).SearchCasesAsync(search, new Metadata { { "authorization", $"Bearer {token}" } });
        Assert.Empty(found.Cases);
    }

    private static async Task<string> RegistryCtlAsync(IEnumerable<string> arguments)
    {
        using var registryctl = new RegistryCtl();
        var run = await registryctl.RunAsync([.. arguments]);
        Assert.True(run.Code == 0, run.ToString());
        return run.Out.Trim();
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
