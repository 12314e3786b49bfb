using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Intake on PostgreSQL whose DbContext counts the database commands each call marked with
/// <see cref="CountHeader"/> runs (an EF Core command interceptor that reads the call's header): a structural
/// property of a handler (a batch query instead of N), never a timing.
/// </summary>
public sealed class ImportFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public const string CountHeader = "x-test-count-commands";

    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    public CommandCounter Commands { get; } = new();

    /// <summary>
    /// The service's call bound raised to 50 s here only (below the 60 s wait for a database session): the thousand-row import prints its figures on a test machine
    /// shared with other builds, where its wall time is not the registry's (production keeps Grpc:MaxUnaryCallTimeout).
    /// </summary>
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Grpc:UnaryCallTimeout"] = "00:00:50",
        ["Grpc:MaxUnaryCallTimeout"] = "00:00:50",
    };

    /// <summary>Everything an import could leave behind: cases, assertions, status decisions, events, capture cards, duplicate candidates.</summary>
    public Task<(int Cases, int Assertions, int StatusChanges, int Events, int Cards, int Candidates)> CountStoredAsync() =>
        QueryAsync(async db => (await db.Cases.CountAsync(), await db.IdentityAssertions.CountAsync(), await db.StatusChanges.CountAsync(),
            await db.OutboxMessages.CountAsync(), await db.CaptureCards.CountAsync(), await db.DuplicateCandidates.CountAsync()));

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.ConfigureDbContext<IntakeDbContext>((provider, options) =>
            options.AddInterceptors(new CountingInterceptor(provider.GetRequiredService<IHttpContextAccessor>(), Commands)), ServiceLifetime.Singleton);
    }

    /// <summary>The commands run by calls whose <see cref="CountHeader"/> was a given label.</summary>
    public sealed class CommandCounter
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();

        public int Of(string label) => _counts.GetValueOrDefault(label);

        public void Add(string label) => _counts.AddOrUpdate(label, 1, (_, n) => n + 1);
    }

    private sealed class CountingInterceptor(IHttpContextAccessor http, CommandCounter counter) : DbCommandInterceptor
    {
        private void Count()
        {
            if (http.HttpContext?.Request.Headers[CountHeader].ToString() is { Length: > 0 } label)
            {
                counter.Add(label);
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Count();
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Count();
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Count();
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Count();
            return base.ReaderExecuting(command, eventData, result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Count();
            return base.NonQueryExecuting(command, eventData, result);
        }
    }
}
