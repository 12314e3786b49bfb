using OpenIddict.Abstractions;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Identity.Server;

/// <summary>
/// OpenIddict stores an entry per issued token (so a disabled client's tokens can be revoked): this deletes the
/// entries no longer of use — expired or revoked, and created more than <c>Identity:TokenRetention</c> (1 day)
/// ago — every <c>Identity:PruneInterval</c> (1 hour), so the table holds about a day of tokens, not all of them.
/// </summary>
public sealed class TokenPruning(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<TokenPruning> logger) : BackgroundService
{
    private readonly TimeSpan _retention = DurationSetting.Positive(configuration.GetSection(IdentitySettings.Section), "TokenRetention", TimeSpan.FromDays(1));
    private readonly TimeSpan _interval = DurationSetting.Positive(configuration.GetSection(IdentitySettings.Section), "PruneInterval", TimeSpan.FromHours(1));

    /// <summary>Deletes the expired or revoked token entries created before now minus the retention.</summary>
    /// <returns>How many were deleted.</returns>
    public async Task<long> PruneOnceAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        var threshold = clock.GetUtcNow() - _retention;
        var pruned = await tokens.PruneAsync(threshold, ct);
        await authorizations.PruneAsync(threshold, ct);
        return pruned;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var pruned = await PruneOnceAsync(stoppingToken);
                logger.LogInformation("Pruned {Count} expired or revoked token entries", pruned);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Token pruning failed, tried again in {Interval}: {Error}", _interval, ex.Message);
            }
        }
    }
}
