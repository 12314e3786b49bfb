using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain.Names;

namespace Registry.Intake.Features.Search;

/// <summary>
/// Rebuilds the stored name keys (search tokens, duplicate keys, service number key) of every case whose
/// <see cref="Domain.CaptureCase.NameKeyVersion"/> is older than <see cref="NameKeys.Version"/>: at start,
/// after the migrations, in the background, in batches of <see cref="BatchSize"/> in registration order,
/// with a progress line per batch. In C# rather than in a migration because the keys are C# (AnyAscii and
/// the foldings of <see cref="NameKeys"/>), which SQL cannot compute. Until a case is rebuilt, duplicate
/// detection computes its keys from its names (<c>DuplicateFinder</c>), and search finds it by the tokens
/// it was stored with. Replicas starting together do the same work; a case changed meanwhile fails its
/// batch's concurrency check and the batch is read again.
/// </summary>
public sealed class NameKeyRebuild(IServiceScopeFactory scopes, ILogger<NameKeyRebuild> logger) : BackgroundService
{
    public const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RebuildAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Rebuilding the name keys failed; they are rebuilt at the next start");
        }
    }

    /// <summary>
    /// The cases keyed under another version than <see cref="NameKeys.Version"/>, older or newer (a build rolled back),
    /// asked as two ranges so that the index on the version answers it at each start: none, at a million cases, without
    /// reading the table (a b-tree cannot answer <c>&lt;&gt;</c>, which read every case).
    /// </summary>
    public static IQueryable<Domain.CaptureCase> Stale(IQueryable<Domain.CaptureCase> cases) =>
        cases.Where(c => c.NameKeyVersion < NameKeys.Version || c.NameKeyVersion > NameKeys.Version);

    /// <summary>Rebuilds every case keyed under another version; returns how many were rebuilt.</summary>
    public async Task<int> RebuildAsync(CancellationToken ct)
    {
        int total;
        using (var scope = scopes.CreateScope())
        {
            total = await Stale(scope.ServiceProvider.GetRequiredService<IntakeDbContext>().Cases).CountAsync(ct);
        }

        if (total == 0)
        {
            return 0;
        }

        logger.LogInformation("Rebuilding the name keys of {Total} cases to version {Version}", total, NameKeys.Version);
        var watch = Stopwatch.StartNew();
        long after = 0;
        var done = 0;
        while (true)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
            var batch = await Stale(db.Cases).Where(c => c.Number > after)
                .OrderBy(c => c.Number).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var c in batch)
            {
                c.RefreshKeys();
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                continue;
            }

            after = batch[^1].Number;
            done += batch.Count;
            logger.LogInformation("Name keys rebuilt: {Done} of {Total} cases", done, total);
        }

        logger.LogInformation("Name keys of {Done} cases rebuilt to version {Version} in {Elapsed}", done, NameKeys.Version, watch.Elapsed);
        return done;
    }
}
