using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Registry.ServiceDefaults.Grpc;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Grpc;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Intake's own bound on a unary call, for a caller that reaches it directly (not through the gateway)
/// with a deadline grpc-dotnet ignores (malformed, zero, 1 ns: no deadline at all) or an absurd one:
/// the call ends DEADLINE_EXCEEDED at Grpc:UnaryCallTimeout (none usable) or Grpc:MaxUnaryCallTimeout
/// (too long), its query is cancelled and its session goes back to the pool.
/// </summary>
public sealed class CallBoundTests(BoundedIntakeFixture intake) : IClassFixture<BoundedIntakeFixture>
{
    /// <summary>The test's own limit on a raw call: far above the service's bound, far below "held until the lock goes".</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(40);

    [Theory]
    [InlineData("abc")]
    [InlineData("1n")]
    [InlineData("0S")]
    [InlineData("999999999S")]
    [InlineData("99999999H")]
    [InlineData("-5S")]
    public async Task A_call_with_an_unusable_or_absurd_deadline_ends_at_the_services_bound_and_releases_its_session(string grpcTimeout)
    {
        using var http = new HttpMessageInvoker(intake.Service.Server.CreateHandler());

        await using var locked = await RawGrpc.LockAsync(await intake.ConnectionStringAsync(), "cases");
        var outcome = await RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress, "/registry.intake.v1.IntakeService/GetCase",
            new GetCaseRequest { CaseId = Guid.NewGuid().ToString() }, grpcTimeout, Guard);

        Assert.True(outcome.Status == StatusCode.DeadlineExceeded, $"grpc-timeout: {grpcTimeout} -> {outcome}");
        // A statement cut by the bound says only that (no "its caller gave up", which a wait for a slot's detail would add).
        Assert.EndsWith("(Grpc:UnaryCallTimeout).", outcome.Message.Replace("MaxUnaryCallTimeout", "UnaryCallTimeout", StringComparison.Ordinal), StringComparison.Ordinal);
        // Whose bound it is (the gateway's own for an HTTP/JSON call it runs, a trial found "the service's" misread).
        Assert.Contains("ran into intake's bound", outcome.Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() == 0, TimeSpan.FromSeconds(15), "the call's session to stop waiting on the lock");
    }

    [Fact]
    public async Task A_callers_shorter_deadline_is_kept()
    {
        using var http = new HttpMessageInvoker(intake.Service.Server.CreateHandler());

        await using var locked = await RawGrpc.LockAsync(await intake.ConnectionStringAsync(), "cases");
        var outcome = await RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress, "/registry.intake.v1.IntakeService/GetCase",
            new GetCaseRequest { CaseId = Guid.NewGuid().ToString() }, "300m", Guard);

        // grpc-dotnet's own deadline: DEADLINE_EXCEEDED in the trailers, then RST_STREAM CANCEL to end the
        // request side, which a client that has not read the trailers yet sees as CANCELLED (gRPC over HTTP/2).
        Assert.True(outcome.Status is StatusCode.DeadlineExceeded or StatusCode.Cancelled, outcome.ToString());
        // Before the service's bound for a caller with a deadline (MaxUnaryCallTimeout). Usually at the 300 ms; on a loaded
        // machine the cancel request can reach PostgreSQL before the statement does (it is then ignored), and Npgsql ends
        // the session after its Cancellation Timeout (2 s): seen once in CI at 3.1 s.
        Assert.True(outcome.Elapsed < BoundedIntakeFixture.MaxUnaryCallTimeout, outcome.ToString());
    }

    [Fact]
    public async Task Twenty_five_stuck_calls_do_not_starve_an_unrelated_call()
    {
        using var http = new HttpMessageInvoker(intake.Service.Server.CreateHandler());

        await using var locked = await RawGrpc.LockAsync(await intake.ConnectionStringAsync(), "cases");
        // More calls than the pool has sessions (TestInfrastructure.MaxPoolSize, 20).
        var stuck = Enumerable.Range(0, 25).Select(_ => RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress,
            "/registry.intake.v1.IntakeService/GetCase", new GetCaseRequest { CaseId = Guid.NewGuid().ToString() }, "abc", Guard)).ToList();
        await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() > 0, TimeSpan.FromSeconds(30), "the calls to wait on the lock");

        Assert.NotNull(await ListOverdueAsync());
        Assert.All(await Task.WhenAll(stuck), o => Assert.True(o.Status == StatusCode.DeadlineExceeded, o.ToString()));
    }

    /// <summary>
    /// ImportCaptures is a bulk call (its request an IBulkRequest): a thousand registrations' work gets Grpc:BulkCallTimeout,
    /// not a single call's bound, whatever deadline came (none usable here), and ends DEADLINE_EXCEEDED at it, its session freed.
    /// </summary>
    [Fact]
    public async Task A_bulk_call_runs_to_the_bulk_bound_not_a_single_calls()
    {
        using var http = new HttpMessageInvoker(intake.Service.Server.CreateHandler());

        await using var locked = await RawGrpc.LockAsync(await intake.ConnectionStringAsync(), "cases");
        var outcome = await RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress, "/registry.intake.v1.IntakeService/ImportCaptures",
            List(), "abc", Guard);

        Assert.True(outcome.Status == StatusCode.DeadlineExceeded, outcome.ToString());
        Assert.Contains("Grpc:BulkCallTimeout", outcome.Message);
        Assert.True(outcome.Elapsed > BoundedIntakeFixture.MaxUnaryCallTimeout, outcome.ToString());
        await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() == 0, TimeSpan.FromSeconds(15), "the call's session to stop waiting on the lock");
    }

    /// <summary>
    /// Bulk calls run in Grpc:MaxConcurrentBulkCalls slots (1 here): of two stuck imports only one holds a session
    /// waiting on the lock, the other waits for the slot without a session, and a single call still gets one.
    /// </summary>
    [Fact]
    public async Task Bulk_calls_beyond_the_slots_wait_without_a_session_and_single_calls_pass()
    {
        using var http = new HttpMessageInvoker(intake.Service.Server.CreateHandler());

        await using var locked = await RawGrpc.LockAsync(await intake.ConnectionStringAsync(), "cases");
        var imports = Enumerable.Range(0, 2).Select(_ => RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress,
            "/registry.intake.v1.IntakeService/ImportCaptures", List(), "abc", Guard)).ToList();
        await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() > 0, TimeSpan.FromSeconds(30), "an import to wait on the lock");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(1, await locked.WaitingSessionsAsync());
        Assert.NotNull(await ListOverdueAsync());
        // The second waited for the slot within its bound: both end at the bulk bound, neither later than the guard.
        Assert.All(await Task.WhenAll(imports), o => Assert.True(o.Status == StatusCode.DeadlineExceeded, o.ToString()));
    }

    /// <summary>
    /// With every slot taken and Grpc:MaxWaitingBulkCalls calls waiting (1 and 1 here), one more bulk call is refused at
    /// once, RESOURCE_EXHAUSTED with a RetryInfo, not left to wait out its deadline in the queue.
    /// </summary>
    [Fact]
    public async Task A_bulk_call_beyond_the_waiting_ones_is_refused_at_once_with_a_retry_delay()
    {
        using var http = new HttpMessageInvoker(intake.Service.Server.CreateHandler());
        var slots = intake.Service.Services.GetRequiredService<BulkCallSlots>();

        await using var locked = await RawGrpc.LockAsync(await intake.ConnectionStringAsync(), "cases");
        var running = RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress, "/registry.intake.v1.IntakeService/ImportCaptures", List(), "abc", Guard);
        await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() > 0, TimeSpan.FromSeconds(30), "an import to wait on the lock");
        var waiting = RawGrpc.UnaryAsync(http, intake.Service.Server.BaseAddress, "/registry.intake.v1.IntakeService/ImportCaptures", List(), "abc", Guard);
        await Eventually.TrueAsync(() => Task.FromResult(slots.Waiting == 1), TimeSpan.FromSeconds(30), "an import to wait for the slot");

        var refused = await Assert.ThrowsAsync<RpcException>(() => intake.Client.ImportCapturesAsync(List(), deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.GetRpcStatus()!.GetDetail<Google.Rpc.RetryInfo>().RetryDelay.ToTimeSpan());
        Assert.True(running.IsCompleted is false && waiting.IsCompleted is false, "the running and the waiting import were refused instead");
        await locked.DisposeAsync();
        await Task.WhenAll(running, waiting);
    }

    /// <summary>
    /// ListOverdue, a call that reads no case: it needs only a session, and its audit row (written by the access audit's
    /// group commit, from the same pool). On a loaded machine that row can wait behind stuck calls' own audit rows past
    /// this fixture's 4 s bound: one more try then, once the stuck calls have ended at theirs.
    /// </summary>
    private async Task<ListOverdueResponse> ListOverdueAsync()
    {
        try
        {
            return await intake.Client.ListOverdueAsync(new ListOverdueRequest { PageSize = 5 }, deadline: DateTime.UtcNow.AddSeconds(20));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            return await intake.Client.ListOverdueAsync(new ListOverdueRequest { PageSize = 5 }, deadline: DateTime.UtcNow.AddSeconds(20));
        }
    }

    private static ImportCapturesRequest List()
    {
        var request = new ImportCapturesRequest();
        request.Rows.AddRange(Enumerable.Range(0, 3).Select(_ => ImportCapturesTests.Person()));
        return request;
    }
}

/// <summary>Intake with small call bounds (2 s for none, 4 s at most, 7 s for a bulk call, one at a time, one waiting), on a database of its own (the tests lock its tables).</summary>
public sealed class BoundedIntakeFixture() : ServiceFixture<IntakeGrpcService, IntakeDbContext>("Intake")
{
    public static readonly TimeSpan UnaryCallTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxUnaryCallTimeout = TimeSpan.FromSeconds(4);

    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    public Task<string> ConnectionStringAsync() => QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Grpc:UnaryCallTimeout"] = UnaryCallTimeout.ToString(),
        ["Grpc:MaxUnaryCallTimeout"] = MaxUnaryCallTimeout.ToString(),
        ["Grpc:BulkCallTimeout"] = "00:00:07",
        ["Grpc:MaxConcurrentBulkCalls"] = "1",
        ["Grpc:MaxWaitingBulkCalls"] = "1",
    };
}
