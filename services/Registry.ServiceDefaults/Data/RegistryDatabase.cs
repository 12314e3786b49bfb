using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Health;

namespace Registry.ServiceDefaults.Data;

public static class RegistryDatabase
{
    /// <summary>
    /// The service's own PostgreSQL database (ConnectionStrings:<paramref name="connectionName"/>),
    /// its readiness check, and its migrations applied at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddRegistryDatabase<TDb>(this IHostApplicationBuilder builder, string connectionName)
        where TDb : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set; deploy/local-servers.sh prints the local settings.");
        builder.Services.AddDbContext<TDb>(o => o.UseNpgsql(connectionString));
        builder.Services.AddHealthChecks().AddDbContextCheck<TDb>($"{connectionName.ToLowerInvariant()}-database", tags: [RegistryHealth.Ready]);
        builder.Services.AddHostedService<MigrateDatabase<TDb>>();
        return builder;
    }

    /// <summary>
    /// Brings the schema up to date before the service takes traffic. EF Core takes a database lock
    /// while migrating, so replicas starting together do not race.
    /// </summary>
    private sealed class MigrateDatabase<TDb>(IServiceScopeFactory scopes, ILogger<MigrateDatabase<TDb>> logger) : IHostedService
        where TDb : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<TDb>().Database.MigrateAsync(cancellationToken);
                    return;
                }
                catch (Exception ex) when (attempt < 30 && ex is not OperationCanceledException)
                {
                    logger.LogWarning("Database of {Store} not reachable for migration (attempt {Attempt}): {Error}", typeof(TDb).Name, attempt, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
