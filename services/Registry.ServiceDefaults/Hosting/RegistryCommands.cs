using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Data;

namespace Registry.ServiceDefaults.Hosting;

/// <summary>
/// What a service's process does: serve (no command), or <c>migrate</c>: apply its store's pending EF Core migrations
/// and exit, 0 when the schema is current and 1 when a migration failed. With several replicas the migrations run so
/// once per release (a Kubernetes Job, deploy/k8s), and the replicas run with <c>Database:MigrateAtStart=false</c>
/// (<see cref="RegistryDatabase.MigrateAtStartKey"/>). The same settings as serving (ConnectionStrings, Database:Provider)
/// are read; nothing else starts: no port is bound, no bus is joined.
/// </summary>
public static class RegistryCommands
{
    /// <summary>The command that applies the migrations and exits.</summary>
    public const string Migrate = "migrate";

    /// <summary>Runs the command <paramref name="args"/> names, or serves until stopped; returns the process's exit code.</summary>
    public static async Task<int> RunRegistryAsync(this WebApplication app, string[] args)
    {
        // The command comes first; settings (--Key=value) may follow it, as they may stand alone.
        var command = args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=') ? args[0] : null;
        switch (command)
        {
            case null:
                await app.RunAsync();
                return 0;
            case Migrate:
                return await MigrateAsync(app.Services);
            case var other:
                Console.Error.WriteLine($"Unknown command '{other}': the service takes none (serve) or '{Migrate}' (apply the database migrations and exit).");
                return 2;
        }
    }

    private static async Task<int> MigrateAsync(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RegistryCommands));
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        foreach (var migration in services.GetServices<IDatabaseMigration>())
        {
            try
            {
                var pending = await migration.PendingAsync(logger, stop.Token);
                await migration.ApplyAsync(logger, stop.Token);
                logger.LogInformation("{Store}: {Count} migration(s) applied ({Migrations}); the schema is current",
                    migration.Store, pending.Count, pending.Count == 0 ? "none pending" : string.Join(", ", pending));
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Store}: the migrations failed", migration.Store);
                return 1;
            }
        }

        return 0;
    }
}
