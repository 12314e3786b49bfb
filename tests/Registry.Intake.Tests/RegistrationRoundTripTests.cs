using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>Intake with every database round trip of its DbContexts recorded (<see cref="RoundTripCounter"/>).</summary>
public sealed class RoundTripIntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public RoundTripCounter RoundTrips { get; } = new();

    /// <summary>What the service logs, past its configured levels.</summary>
    public LogCapture Logs { get; } = new();

    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.ConfigureDbContext<IntakeDbContext>(o => o.AddInterceptors(RoundTrips), ServiceLifetime.Singleton);
        services.AddSingleton<ILoggerProvider>(Logs);
    }
}

/// <summary>
/// Issue 15: a first registration takes its case number (with the plan setting) in its first round trip, reads for duplicates,
/// and writes every row in one batch, without first looking its request id up (the batch's first row, the case, meets the
/// unique index on the request id); a retry fails there and is replayed.
/// </summary>
public sealed class RegistrationRoundTripTests(RoundTripIntakeFixture intake) : IClassFixture<RoundTripIntakeFixture>
{
    private static bool Inserts(string exchange) => exchange.StartsWith("INSERT", StringComparison.Ordinal);

    private static bool InsertsFirstInto(string exchange, string table) =>
        exchange.Replace("\"", "", StringComparison.Ordinal).StartsWith($"INSERT INTO {table} ", StringComparison.Ordinal);

    [Fact]
    public async Task A_first_registration_writes_its_rows_in_one_batch_and_a_retry_is_replayed_from_the_failed_one()
    {
        var request = Requests.Rifleman();
        var requestId = Guid.Parse(request.RequestId);

        var first = await intake.Client.RegisterCaptureAsync(request);

        var exchanges = intake.RoundTrips.Of(requestId);
        var trace = "the registration's round trips:\n  " + string.Join("\n  ", exchanges);
        Assert.True(exchanges.Count >= 3, trace);
        // The number and the notification's id, with the plan setting in the same statement (no SET LOCAL of its own).
        Assert.StartsWith("SELECT nextval(", exchanges[0], StringComparison.Ordinal);
        Assert.Contains("set_config('plan_cache_mode'", exchanges[0], StringComparison.Ordinal);
        Assert.DoesNotContain(exchanges, e => e.StartsWith("SET", StringComparison.Ordinal));
        // One batch holds every row, the case first; before it only reads; after it the commit.
        var batch = Assert.Single(exchanges, Inserts);
        Assert.True(InsertsFirstInto(batch, "cases"), trace);
        Assert.Matches(@"\((\d{2,}|[7-9]) statements\)$", batch);
        Assert.Equal(batch, exchanges[^2]);
        Assert.All(exchanges.Skip(1).SkipLast(2), e => Assert.StartsWith("SELECT", e, StringComparison.Ordinal));
        Assert.Equal("COMMIT", exchanges[^1]);
        // The call's access audit, written by the audit writer's batches (one command each): their INSERTs planned once per
        // session (GenericPlans.CommandPrefix), not at every batch.
        var audits = intake.RoundTrips.OfAny(["registry.intake.v1.IntakeService/RegisterCapture"]).SelectMany(c => c)
            .Where(e => e.StartsWith("INSERT INTO \"access_events\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(audits);
        Assert.All(audits, e => Assert.Contains(RoundTripCounter.PlannedForTheSession, e, StringComparison.Ordinal));

        // The retry's batch fails on the request id (its transaction is rolled back), then the first case is read and answered again.
        var retry = await intake.Client.RegisterCaptureAsync(request);

        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Case, retry.Case);
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == requestId)));
        var contexts = intake.RoundTrips.OfAny([requestId]);
        Assert.Equal(2, contexts.Count);
        AssertFailedAtTheInsertThenLookedUp(Assert.Single(contexts, c => !c.Contains("COMMIT")));
        // A client's retry is routine: the insert EF Core saw fail is not logged as an error (RegistryDatabase.HandledFailures).
        Assert.DoesNotContain(intake.Logs.Entries, e => e.Level >= LogLevel.Error && e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reused_request_id_fails_at_the_insert_and_is_refused_with_nothing_stored()
    {
        var request = Requests.Rifleman();
        var requestId = Guid.Parse(request.RequestId);
        await intake.Client.RegisterCaptureAsync(request);
        var different = request.Clone();
        different.Identity.GivenNames = "Someone else";

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(different).ResponseAsync);

        RpcAssert.RequestIdReused(error, requestId);
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == requestId)));
        Assert.Equal(0, await intake.QueryAsync(db => db.IdentityAssertions.CountAsync(a => a.Value == "Someone else")));
        AssertFailedAtTheInsertThenLookedUp(Assert.Single(intake.RoundTrips.OfAny([requestId]), c => !c.Contains("COMMIT")));
    }

    /// <summary>
    /// Calls committed together (RegistrationBatcher, through ImportCaptures' path): after the request_ids' read and the duplicate
    /// locks, one statement takes every number and notification id with the plan setting, one reads the blocks of every case,
    /// one counts the names, and one command inserts every row of every call; then the commit. Until the thirty-third increment
    /// of docs/performance.md a batch of five took about 29 round trips: a blocking statement a case, the latest number read
    /// apart, and a COPY a table (two round trips each, eight tables with the candidates, and not seen by EF Core's interceptors).
    /// </summary>
    [Fact]
    public async Task Registrations_committed_together_read_once_for_their_duplicates_and_write_every_row_in_one_command()
    {
        var requests = Enumerable.Range(0, 5).Select(_ => Requests.SniperInFull()).ToList();
        RegisterCaptureResponse[] responses;
        await using (var hold = await RegistrationBatchTests.HoldCasesAsync(intake))
        {
            var first = intake.Client.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync;
            await RegistrationBatchTests.UntilTakenAsync(hold);
            var queued = requests.Select(r => intake.Client.RegisterCaptureAsync(r).ResponseAsync).ToList();
            await RegistrationBatchTests.UntilQueuedAsync(intake, requests.Count);
            await hold.DisposeAsync();
            responses = await Task.WhenAll(queued);
            await first;
        }

        // The same man five times (queued in whatever order the calls arrived): each names those before it, found within the batch.
        Assert.Equal(Enumerable.Range(0, 5), responses.Select(r => r.DuplicateCandidates.Count).Order());
        var exchanges = Assert.Single(intake.RoundTrips.OfAny(requests.Select(r => (object)Guid.Parse(r.RequestId))));
        var trace = "the batch's round trips:\n  " + string.Join("\n  ", exchanges);
        Assert.True(exchanges.Count <= 7, trace);
        var allot = Assert.Single(exchanges, e => e.Contains("nextval(", StringComparison.Ordinal));
        Assert.Contains("'notifications'", allot, StringComparison.Ordinal);
        Assert.Contains("set_config('plan_cache_mode'", allot, StringComparison.Ordinal);
        Assert.DoesNotContain(exchanges, e => e.StartsWith("SET", StringComparison.Ordinal));
        // The blocking read (DuplicateQuery.BatchBlockingStatement; an exchange is recorded by its first line).
        Assert.Single(exchanges, e => e.StartsWith("SELECT c.\"Number\", c.\"CaseId\"", StringComparison.Ordinal));
        var batch = Assert.Single(exchanges, Inserts);
        Assert.True(InsertsFirstInto(batch, "cases"), trace);
        Assert.Equal(batch, exchanges[^2]);
        Assert.Equal("COMMIT", exchanges[^1]);
    }

    /// <summary>One batch, the case first, failed; then the look-up of the request id; nothing written after it and nothing committed.</summary>
    private static void AssertFailedAtTheInsertThenLookedUp(IReadOnlyList<string> exchanges)
    {
        var trace = "the retry's round trips:\n  " + string.Join("\n  ", exchanges);
        var batch = exchanges.ToList().FindIndex(e => Inserts(e));
        Assert.True(batch >= 0 && batch < exchanges.Count - 1, trace);
        Assert.True(InsertsFirstInto(exchanges[batch], "cases"), trace);
        Assert.StartsWith("SELECT", exchanges[batch + 1], StringComparison.Ordinal);
        Assert.DoesNotContain(exchanges.Skip(batch + 1), Inserts);
    }
}
