using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Registry.Ctl.Cli;
using Registry.Identity;
using Registry.Identity.Clients;
using Registry.Identity.Keys;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Security;

namespace Registry.Ctl;

/// <summary>
/// <c>registryctl clients …</c> and <c>keys …</c>: the authorization server's clients and keys, managed straight in
/// its database through the same code the server uses (OpenIddict's application manager hashes secrets).
/// </summary>
internal static class IdentityCommands
{
    public static async Task<int> ListClientsAsync(Options options, OutputFormat format)
    {
        await using var store = await IdentityStore.OpenAsync(options);
        var clients = await store.Clients.ListAsync();
        Output.WriteRecord(format, new { clients }, console => Paging.Write(console, clients, "client(s)", "",
            ["client", "agency", "roles", "state", "name"], c => [c.ClientId, c.Agency, string.Join(",", c.Roles), c.Enabled ? "enabled" : "disabled", c.DisplayName]));
        return 0;
    }

    public static async Task<int> CreateClientAsync(string clientId, Options options, OutputFormat format)
    {
        var client = new AgencyClient(
            clientId,
            options.Get("--name") ?? clientId,
            options.Get("--agency") ?? throw new UsageException("--agency is required (e.g. UA-SSO)."),
            (options.Get("--roles") ?? throw new UsageException($"--roles is required: a comma-separated list of {string.Join(", ", RegistryRoles.All)}."))
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Enabled: true);
        await using var store = await IdentityStore.OpenAsync(options);
        var secret = await store.Clients.CreateAsync(client);
        Output.WriteRecord(format, new { clientId, agency = client.Agency, roles = client.Roles, secret }, _ =>
        {
            Console.WriteLine($"created client {clientId} ({client.Agency}: {string.Join(",", client.Roles)})");
            Console.WriteLine($"secret: {secret}");
            Console.WriteLine("the secret is stored hashed and shown only now");
        });
        return 0;
    }

    public static async Task<int> RotateSecretAsync(string clientId, Options options, OutputFormat format)
    {
        await using var store = await IdentityStore.OpenAsync(options);
        var secret = await store.Clients.RotateSecretAsync(clientId);
        Output.WriteRecord(format, new { clientId, secret }, _ =>
        {
            Console.WriteLine($"new secret of {clientId}: {secret}");
            Console.WriteLine("the old secret is refused from now on; tokens issued with it stay valid until they expire");
        });
        return 0;
    }

    public static async Task<int> DisableClientAsync(string clientId, Options options, OutputFormat format)
    {
        await using var store = await IdentityStore.OpenAsync(options);
        var revoked = await store.Clients.DisableAsync(clientId);
        Output.WriteRecord(format, new { clientId, disabled = true, revokedTokens = revoked }, _ =>
            Console.WriteLine($"disabled {clientId}; {revoked} stored token(s) revoked; the services refuse its tokens already issued within Auth:DisabledClientsRefresh (10 s by default)"));
        return 0;
    }

    public static async Task<int> ListKeysAsync(Options options, OutputFormat format)
    {
        await using var store = await IdentityStore.OpenAsync(options);
        var keys = await store.Keys.ListAsync();
        Output.WriteRecord(format, new { keys }, console => Paging.Write(console, keys, "key(s)", "",
            ["kid", "use", "generation", "created", "signs from", "retired"],
            k => [k.KeyId, k.Use.ToString(), k.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), k.CreatedAt.ToString("O"), k.NotBefore.ToString("O"), k.RetiredAt is { } r ? r.ToString("O") : "-"]));
        return 0;
    }

    public static async Task<int> RotateKeysAsync(Options options, OutputFormat format)
    {
        var overlap = Duration(options, "--overlap", TimeSpan.Zero);
        var retireAfter = Duration(options, "--retire-after", TimeSpan.FromHours(1));
        await using var store = await IdentityStore.OpenAsync(options);
        var key = await store.Keys.RotateAsync(overlap, retireAfter);
        Output.WriteRecord(format, new { key.KeyId, key.Generation, signsFrom = key.NotBefore, othersRetiredAt = key.NotBefore + retireAfter }, _ =>
        {
            Console.WriteLine($"added signing key {key.KeyId} (generation {key.Generation}), signing from {key.NotBefore:O}; the keys it replaces are retired at {key.NotBefore + retireAfter:O}");
            Console.WriteLine("restart the identity servers to publish it (and, after its start, to sign with it)");
        });
        return 0;
    }

    private static TimeSpan Duration(Options options, string name, TimeSpan fallback) =>
        options.Get(name) is not { } text ? fallback
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero ? value
        : throw new UsageException($"{name} must be a duration like 00:10:00, not '{text}'.");

    /// <summary>The identity database, opened with the server's own store code (no migration: the server owns the schema).</summary>
    private sealed class IdentityStore : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly AsyncServiceScope _scope;

        private IdentityStore(IHost host)
        {
            _host = host;
            _scope = host.Services.CreateAsyncScope();
        }

        public ClientRegistry Clients => _scope.ServiceProvider.GetRequiredService<ClientRegistry>();

        public SigningKeyStore Keys => _scope.ServiceProvider.GetRequiredService<SigningKeyStore>();

        public static Task<IdentityStore> OpenAsync(Options options)
        {
            var database = options.Get("--database") ?? Environment.GetEnvironmentVariable($"ConnectionStrings__{IdentityModule.ConnectionName}")
                ?? throw new UsageException($"No database: pass --database or set ConnectionStrings__{IdentityModule.ConnectionName}.");
            var provider = options.Get("--provider") ?? Environment.GetEnvironmentVariable("Database__Provider") ?? "Postgres";
            // SQLite would create an empty file for a path that names none, then fail on its missing tables.
            if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase)
                && new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database).DataSource is { Length: > 0 } file && file != ":memory:" && !File.Exists(file))
            {
                throw new UsageException($"No identity database at {Path.GetFullPath(file)} (the embedded host's is .data/embedded/identity.db where it runs).");
            }

            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{IdentityModule.ConnectionName}"] = database,
                [RegistryDatabase.ProviderKey] = provider,
                // As the services read it (README, configuration): false behind a pooler that refuses startup options.
                [RegistryDatabase.SessionJitOffKey] = Environment.GetEnvironmentVariable("Database__SessionJitOff") ?? "true",
                [RegistryDatabase.PreparedStatementsKey] = Environment.GetEnvironmentVariable("Database__PreparedStatements") ?? "true",
            });
            builder.AddIdentityStore();
            return Task.FromResult(new IdentityStore(builder.Build()));
        }

        public async ValueTask DisposeAsync()
        {
            await _scope.DisposeAsync();
            _host.Dispose();
        }
    }
}
