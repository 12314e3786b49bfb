using System.Collections.Frozen;
using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The clients the authority has disabled, fetched every <see cref="RegistryAuthOptions.DisabledClientsRefresh"/>
/// from <see cref="RegistryAuthOptions.DisabledClients"/> (the registry's authority serves it at
/// <c>/registry/disabled-clients</c>). A JWT is valid until it expires whatever happens to its client; with this
/// list a service refuses a disabled client's token (UNAUTHENTICATED) within one refresh. Unset (an external
/// authority without such a list), disabling takes effect at the tokens' expiry. If the list cannot be fetched the
/// last one is kept and the failure logged.
/// </summary>
public sealed class DisabledClients(RegistryAuthOptions options, IHttpClientFactory http, IHostApplicationLifetime lifetime, ILogger<DisabledClients> logger)
    : BackgroundService
{
    private volatile FrozenSet<string> _disabled = FrozenSet<string>.Empty;

    public bool IsDisabled(string clientId) => _disabled.Contains(clientId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.DisabledClients is not { Length: > 0 } address)
        {
            return;
        }

        // The first fetch once the host has started: the authority serves the list itself, and asked before its own port
        // listened, it logged a warning at every start (a trial's finding).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(options.DisabledClientsRefresh);
        do
        {
            try
            {
                var list = await http.CreateClient(nameof(DisabledClients)).GetFromJsonAsync<ListFile>(address, stoppingToken);
                _disabled = (list?.Clients ?? []).ToFrozenSet(StringComparer.Ordinal);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The list of disabled clients could not be fetched from {Address} ({Error}); the last one ({Count} clients) stays in force",
                    address, ex.Message, _disabled.Count);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private sealed record ListFile(string[] Clients);
}
