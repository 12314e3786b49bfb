using Microsoft.IdentityModel.JsonWebTokens;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Identity.Tests;

/// <summary>
/// registryctl's clients, keys and token commands as an operator runs them: the built tool against the
/// identity server run as its own process on real ports, both on one PostgreSQL database.
/// </summary>
public sealed class RegistryCtlTests : IAsyncLifetime
{
    private TestInfrastructure _infrastructure = null!;
    private string _database = null!;
    private ServiceProcess _server = null!;
    private string _authority = null!;
    private readonly RegistryCtl _registryctl = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        _database = await _infrastructure.CreateDatabaseAsync("identity");
        var grpcPort = FreePort.Next();
        var httpPort = FreePort.Next();
        _authority = $"http://127.0.0.1:{httpPort}/";
        _server = await ServiceProcess.StartAsync("Identity", Path.Combine("services", "Registry.Identity"), grpcPort, httpPort,
            ServiceProcess.IdentitySettings(_database, grpcPort, httpPort));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _infrastructure.DropDatabaseAsync(_database);
        _registryctl.Dispose();
    }

    [Fact]
    public async Task An_operator_creates_a_client_gets_its_token_rotates_its_secret_and_rotates_the_keys()
    {
        var created = await RunAsync("clients", "create", "kr-nis-partner", "--agency", "KR-NIS", "--roles", "partner", "--name", "KR NIS liaison");
        Assert.Equal(0, created.Code);
        var secret = created.Out.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal))["secret: ".Length..].Trim();

        var listed = await RunAsync("clients", "list", "--output", "json");
        using (var json = System.Text.Json.JsonDocument.Parse(listed.Out))
        {
            var client = Assert.Single(json.RootElement.GetProperty("clients").EnumerateArray(), c => c.GetProperty("clientId").GetString() == "kr-nis-partner");
            Assert.Equal(("KR-NIS", "partner", true, "KR NIS liaison"), (client.GetProperty("agency").GetString(), Assert.Single(client.GetProperty("roles").EnumerateArray()).GetString(),
                client.GetProperty("enabled").GetBoolean(), client.GetProperty("displayName").GetString()));
        }

        Assert.DoesNotContain(secret, listed.Out);
        var table = await RunAsync("clients", "list");
        Assert.Contains("kr-nis-partner", table.Out);
        Assert.DoesNotContain(secret, table.Out);

        var token = await RunAsync(new Dictionary<string, string> { ["REGISTRY_CLIENT_SECRET"] = secret }, "token", "--authority", _authority, "--client", "kr-nis-partner");
        Assert.Equal(0, token.Code);
        var jwt = new JsonWebToken(token.Out.Trim());
        Assert.Equal(("KR-NIS", RegistryRoles.Partner, _authority), (jwt.GetClaim(RegistryClaims.Agency).Value, jwt.GetClaim(RegistryClaims.Role).Value, jwt.Issuer));

        var rotated = await RunAsync("clients", "rotate-secret", "kr-nis-partner");
        Assert.Equal(0, rotated.Code);
        var refused = await RunAsync("token", "--authority", _authority, "--client", "kr-nis-partner", "--secret", secret);
        Assert.Equal(1, refused.Code);
        Assert.Contains("invalid_client", refused.Err);
        var newSecret = rotated.Out.Split('\n')[0].Split(": ")[1].Trim();
        Assert.Equal(0, (await RunAsync("token", "--authority", _authority, "--client", "kr-nis-partner", "--secret", newSecret)).Code);

        Assert.Equal(0, (await RunAsync("keys", "rotate", "--retire-after", "00:30:00")).Code);
        var keys = await RunAsync("keys", "list", "--output", "json");
        using (var json = System.Text.Json.JsonDocument.Parse(keys.Out))
        {
            Assert.Equal(2, json.RootElement.GetProperty("keys").EnumerateArray().Count(k => k.GetProperty("use").GetString() == "sig"));
        }

        Assert.Equal(0, (await RunAsync("clients", "disable", "kr-nis-partner")).Code);
        Assert.Equal(1, (await RunAsync("token", "--authority", _authority, "--client", "kr-nis-partner", "--secret", newSecret)).Code);
    }

    [Fact]
    public async Task A_role_outside_the_seven_fails_in_one_line_and_a_bad_command_line_exits_2()
    {
        var badRole = await RunAsync("clients", "create", "x", "--agency", "UA-SSO", "--roles", "admin");
        Assert.Equal(1, badRole.Code);
        Assert.Equal("registryctl: Client 'x': 'admin' is not a role of the registry (intake-officer, custodian, medic, coordinator, icrc-delegate, auditor, partner).", badRole.Err.Trim());

        Assert.Equal(2, (await RunAsync("token", "--authority", _authority)).Code);
        Assert.Equal(2, (await RunAsync("clients", "create", "x", "--roles", "partner")).Code);
    }

    private Task<RegistryCtlRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    private Task<RegistryCtlRun> RunAsync(Dictionary<string, string> environment, params string[] args) =>
        _registryctl.RunAsync(new Dictionary<string, string>(environment) { ["ConnectionStrings__Identity"] = _database }, args);
}
