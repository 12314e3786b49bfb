using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Registry.Identity;
using Registry.Identity.Clients;
using Registry.Identity.Keys;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Identity.Tests;

/// <summary>
/// The authorization server in-process (TestServer, base address http://localhost/) on a database of its own,
/// with two configured clients; it can be stopped and started again on the same database.
/// </summary>
public sealed class IdentityHost : IAsyncDisposable
{
    public const string Issuer = "http://localhost/";
    public static readonly Uri Authority = new(Issuer);

    /// <summary>An intake officer of UA-SSO, from configuration.</summary>
    public static readonly ClientCredentials Intake = new(Authority, "ua-sso-intake", "intake-secret-for-tests");

    /// <summary>A medic and custodian of UA-SBU, from configuration.</summary>
    public static readonly ClientCredentials Medic = new(Authority, "ua-sbu-medic", "medic-secret-for-tests");

    private readonly Dictionary<string, string?> _settings;
    private readonly Func<Task>? _dropDatabase;

    private IdentityHost(Dictionary<string, string?> settings, Func<Task>? dropDatabase)
    {
        _settings = settings;
        _dropDatabase = dropDatabase;
        Server = new ServiceFactory<Registry.Identity.Clients.ClientRegistry>(settings);
    }

    public ServiceFactory<Registry.Identity.Clients.ClientRegistry> Server { get; private set; }

    /// <summary>A server on a new PostgreSQL database, started and ready.</summary>
    public static async Task<IdentityHost> StartPostgresAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        var database = await infrastructure.CreateDatabaseAsync("identity");
        var host = new IdentityHost(Settings(database, "Postgres", extra), () => infrastructure.DropDatabaseAsync(database));
        await host.Server.WaitUntilReadyAsync();
        return host;
    }

    /// <summary>The settings of a server on <paramref name="database"/>: issuer, plain HTTP, the two clients.</summary>
    public static Dictionary<string, string?> Settings(string database, string provider, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Identity"] = database,
            ["Database:Provider"] = provider,
            ["Identity:Issuer"] = Issuer,
            ["Identity:RequireHttps"] = "false",
            ["Identity:Clients:0:ClientId"] = Intake.ClientId,
            ["Identity:Clients:0:Secret"] = Intake.Secret,
            ["Identity:Clients:0:Agency"] = "UA-SSO",
            ["Identity:Clients:0:Roles:0"] = RegistryRoles.IntakeOfficer,
            ["Identity:Clients:0:DisplayName"] = "SSO capture unit",
            ["Identity:Clients:1:ClientId"] = Medic.ClientId,
            ["Identity:Clients:1:Secret"] = Medic.Secret,
            ["Identity:Clients:1:Agency"] = "UA-SBU",
            ["Identity:Clients:1:Roles:0"] = RegistryRoles.Medic,
            ["Identity:Clients:1:Roles:1"] = RegistryRoles.Custodian,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static IdentityHost On(Dictionary<string, string?> settings) => new(settings, null);

    /// <summary>Stops the server and starts a new one on the same database (keys and clients as stored).</summary>
    public async Task RestartAsync()
    {
        await Server.DisposeAsync();
        Server = new ServiceFactory<Registry.Identity.Clients.ClientRegistry>(_settings);
        await Server.WaitUntilReadyAsync();
    }

    /// <summary>A fresh token client over the test server (no cache shared with other tests).</summary>
    public ClientCredentialsTokens Tokens() => new(Server.CreateClient(), TimeProvider.System);

    /// <summary>Posts a client-credentials request by hand and returns the status and the JSON answer.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> RequestTokenAsync(string clientId, string secret)
    {
        using var http = Server.CreateClient();
        using var response = await http.PostAsync(IdentityModule.TokenPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = RegistryClaims.Scope,
        }));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Validates <paramref name="token"/> as a registry service would: signature against the JWKS the server publishes now, issuer, audience, lifetime.</summary>
    public async Task<TokenValidationResult> ValidateAsync(string token)
    {
        using var http = Server.CreateClient();
        var jwks = new JsonWebKeySet(await http.GetStringAsync(IdentityModule.JwksPath));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = RegistryClaims.Audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        });
    }

    /// <summary>Runs <paramref name="action"/> with the server's client registry and key store.</summary>
    public async Task<T> WithStoreAsync<T>(Func<ClientRegistry, SigningKeyStore, Task<T>> action)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ClientRegistry>(), scope.ServiceProvider.GetRequiredService<SigningKeyStore>());
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_dropDatabase is not null)
        {
            await _dropDatabase();
        }
    }
}
