using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Registry.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Registry.Identity.Clients;
using Registry.Identity.Keys;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Security;

namespace Registry.Testing;

/// <summary>
/// The registry's real authorization server (Registry.Identity on OpenIddict) for a test process: started
/// once, in-process on a loopback port with a PostgreSQL database of its own, so every service under test
/// validates real JWTs against its discovery document and JWKS, and tests get tokens the way agency
/// systems do (OAuth 2.0 client credentials at /connect/token). Clients are registered on demand, one per
/// (agency, roles), through the same <see cref="ClientRegistry"/> that registryctl uses.
/// </summary>
public sealed class TestAuthority
{
    private static readonly Lazy<Task<TestAuthority>> Shared = new(StartAsync);

    private readonly WebApplication _app;
    private readonly ClientCredentialsTokens _tokens;
    private readonly ConcurrentDictionary<string, Lazy<Task<ClientCredentials>>> _clients = new();

    private TestAuthority(WebApplication app, Uri issuer)
    {
        _app = app;
        Issuer = issuer;
        _tokens = new ClientCredentialsTokens(new HttpClient(), TimeProvider.System);
    }

    public Uri Issuer { get; }

    /// <summary>What a service under test needs to validate this authority's tokens (section <c>Auth</c>).</summary>
    public IReadOnlyDictionary<string, string?> ServiceSettings => new Dictionary<string, string?>
    {
        ["Auth:Authority"] = Issuer.ToString(),
        ["Auth:RequireHttpsMetadata"] = "false",
        ["Auth:DisabledClients"] = new Uri(Issuer, "registry/disabled-clients").ToString(),
        ["Auth:DisabledClientsRefresh"] = "00:00:01",
    };

    /// <summary>The same settings as environment variables, for a service started as a process.</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment => new Dictionary<string, string>
    {
        ["Auth__Authority"] = Issuer.ToString(),
        ["Auth__RequireHttpsMetadata"] = "false",
        ["Auth__DisabledClients"] = new Uri(Issuer, "registry/disabled-clients").ToString(),
        ["Auth__DisabledClientsRefresh"] = "00:00:01",
    };

    public static Task<TestAuthority> GetAsync() => Shared.Value;

    /// <summary>The authority, for code that cannot await (it was started by a fixture before).</summary>
    public static TestAuthority Current => Task.Run(GetAsync).GetAwaiter().GetResult();

    /// <summary>A token for a client of <paramref name="agency"/> holding <paramref name="roles"/> (registered on first use).</summary>
    public async Task<string> TokenAsync(string agency, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default)
    {
        var credentials = await CredentialsAsync(agency, roles);
        return await _tokens.GetAsync(credentials, cancellationToken);
    }

    /// <summary>The client id and secret of the test client for (<paramref name="agency"/>, <paramref name="roles"/>), registered on first use.</summary>
    public Task<ClientCredentials> CredentialsAsync(string agency, IReadOnlyCollection<string> roles)
    {
        var sorted = roles.Order(StringComparer.Ordinal).ToList();
        var clientId = $"test-{agency}-{(sorted.Count == RegistryRoles.All.Count ? "all" : string.Join("+", sorted))}".ToLowerInvariant();
        return _clients.GetOrAdd(clientId, id => new Lazy<Task<ClientCredentials>>(() => RegisterAsync(id, agency, sorted))).Value;
    }

    /// <summary>Registers a client with its own secret and returns its credentials (for tests of the client lifecycle).</summary>
    public async Task<ClientCredentials> RegisterAsync(string clientId, string agency, IReadOnlyList<string> roles)
    {
        var secret = AgencyClient.NewSecret();
        await using var scope = _app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientRegistry>()
            .EnsureAsync(new AgencyClient(clientId, clientId, agency, roles, Enabled: true), secret);
        return new ClientCredentials(Issuer, clientId, secret);
    }

    /// <summary>Runs <paramref name="action"/> with the authority's client registry (disable a client, rotate a secret).</summary>
    public async Task<T> WithClientsAsync<T>(Func<ClientRegistry, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ClientRegistry>());
    }

    /// <summary>
    /// A JWT as the authority would issue it (intake officer of <see cref="TestCallers.DefaultAgency"/>),
    /// signed with the authority's current signing key unless <paramref name="key"/> is given, with one
    /// thing changed: its audience, issuer or expiry — for the tests of bad credentials.
    /// </summary>
    public Task<string> MintAsync(string? audience = null, string? issuer = null, DateTimeOffset? expires = null, SecurityKey? key = null, string[]? roles = null)
    {
        var now = DateTimeOffset.UtcNow;
        var end = expires ?? now.AddMinutes(10);
        var signing = key ?? _app.Services.GetRequiredService<KeyRing>().Keys.First(k => k.Use == SigningKey.Signing).ToSecurityKey();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer.ToString(),
            Audience = audience ?? RegistryClaims.Audience,
            IssuedAt = (end < now ? end.AddMinutes(-10) : now).UtcDateTime,
            NotBefore = (end < now ? end.AddMinutes(-10) : now).UtcDateTime,
            Expires = end.UtcDateTime,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "test-minted",
                ["jti"] = Guid.NewGuid().ToString("N"), // each token its own string, as the authority's are (RS256 signs deterministically)
                [RegistryClaims.ClientId] = "test-minted",
                [RegistryClaims.Agency] = TestCallers.DefaultAgency,
                [RegistryClaims.Role] = roles ?? new[] { RegistryRoles.IntakeOfficer },
            },
            SigningCredentials = new SigningCredentials(signing, SecurityAlgorithms.RsaSha256),
        });
        return Task.FromResult(token);
    }

    private static async Task<TestAuthority> StartAsync()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        var database = await infrastructure.CreateDatabaseAsync("identity");
        var (http, grpc) = (FreePort.Next(), FreePort.Next());
        var issuer = new Uri($"http://127.0.0.1:{http}/");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{IdentityModule.ConnectionName}"] = database,
            ["Identity:Issuer"] = issuer.ToString(),
            ["Identity:RequireHttps"] = "false",
            ["Ports:Http"] = http.ToString(),
            ["Ports:Grpc"] = grpc.ToString(),
            ["Auth:Authority"] = issuer.ToString(),
            ["Auth:RequireHttpsMetadata"] = "false",
            // No telemetry listeners in the test process: with one, HttpClient starts an activity for each call a
            // test makes and replaces the traceparent the test sets (the end-to-end trace tests set their own).
            ["OTEL_SDK_DISABLED"] = "true",
            ["Auth:DisabledClients"] = "",
        });
        builder.AddServiceDefaults("identity");
        builder.AddIdentityServer();
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapIdentityServer();
        await app.StartAsync();
        return new TestAuthority(app, issuer);
    }
}
