using Registry.Identity.Clients;
using Registry.Identity.Keys;

namespace Registry.Identity.Server;

/// <summary>
/// Before the server takes traffic (after the store's migration): the first keys if the store has none,
/// the clients of configuration, and the live keys loaded into the <see cref="KeyRing"/>.
/// </summary>
internal sealed class IdentityStartup(IServiceScopeFactory scopes, IConfiguration configuration, KeyRing ring, TimeProvider clock, ILogger<IdentityStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = ConfiguredClients.From(configuration);
        await using var scope = scopes.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<SigningKeyStore>();
        await keys.EnsureAsync(cancellationToken);

        var clients = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
        foreach (var (client, secret) in configured)
        {
            if (await clients.EnsureAsync(client, secret, cancellationToken))
            {
                logger.LogInformation("Client {ClientId} ({Agency}: {Roles}) written from configuration", client.ClientId, client.Agency, string.Join(",", client.Roles));
            }
        }

        var live = await keys.LoadLiveAsync(cancellationToken);
        ring.Load(live, clock.GetUtcNow());
        logger.LogInformation("Signing with key {KeyId}; {Count} key(s) published", ring.Keys[0].KeyId, live.Count(k => k.Use == SigningKey.Signing));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
