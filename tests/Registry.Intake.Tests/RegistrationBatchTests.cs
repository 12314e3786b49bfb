using System.Diagnostics;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.Protos.Intake.V1;
using Registry.Testing;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Intake.Tests;

/// <summary>
/// Concurrent RegisterCapture calls committed together (RegistrationBatcher, issue 15): the same answers, duplicates and
/// errors as one call at a time, each event in its own caller's trace, and fewer transactions than calls.
/// </summary>
public sealed class RegistrationBatchTests(LongCallBoundIntakeFixture intake) : IClassFixture<LongCallBoundIntakeFixture>
{
    private const int Calls = 40;

    [Fact]
    public async Task Concurrent_registrations_share_transactions_and_each_caller_gets_its_own_case_duplicates_and_trace()
    {
        // The same person forty times, each call told apart by its capturing unit (which record linkage does not read).
        var requests = Enumerable.Range(0, Calls).Select(i =>
        {
            var request = Requests.Rifleman();
            request.Capture.CapturingUnit = $"Company {i}";
            return request;
        }).ToList();

        var responses = await Task.WhenAll(requests.Select(r => intake.Client.RegisterCaptureAsync(r).ResponseAsync));

        var cases = responses.Select(r => r.Case).ToList();
        Assert.All(responses, r => Assert.False(r.Replayed));
        Assert.Equal(Calls, cases.Select(c => c.CaseId).Distinct().Count());
        Assert.Equal(Calls, cases.Select(c => c.CaseNumber).Distinct().Count());
        for (var i = 0; i < Calls; i++)
        {
            Assert.Equal($"Company {i}", cases[i].Capture.CapturingUnit);
            var read = (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = cases[i].CaseId })).Case;
            Assert.Equal(cases[i], read);
        }

        // As one call after the other: each case names every earlier one of the burst (in its batch or committed before it).
        var byNumber = responses.OrderBy(r => r.Case.CaseNumber, StringComparer.Ordinal).ToList();
        for (var k = 0; k < byNumber.Count; k++)
        {
            var named = byNumber[k].DuplicateCandidates.Select(d => d.OtherCaseId).ToHashSet();
            var earlier = byNumber.Take(k).Select(r => r.Case.CaseId).ToList();
            Assert.All(earlier, id => Assert.Contains(id, named));
        }

        var ids = cases.Select(c => Guid.Parse(c.CaseId)).ToList();
        // Group commit: cases written by one transaction carry its id (xmin); forty calls at once need fewer than forty.
        var transactions = await intake.QueryAsync(db => db.Database
            .SqlQueryRaw<int>("""SELECT count(DISTINCT xmin::text)::int AS "Value" FROM cases WHERE "CaseId" = ANY({0})""", ids)
            .SingleAsync());
        Assert.InRange(transactions, 1, Calls - 1);

        // Each CaseRegistered carries its own caller's trace on, not the batch's: forty traces, though fewer transactions.
        var keys = ids.Select(id => id.ToString("D")).ToList();
        var events = await intake.QueryAsync(db => db.OutboxMessages.AsNoTracking()
            .Where(m => m.OrderingKey != null && keys.Contains(m.OrderingKey)).ToListAsync());
        Assert.Equal(Calls, events.Count);
        // (The test host starts each request's span in a trace of its own rather than the caller's traceparent; the trace across
        // processes is TraceSamplingTests' in Registry.EndToEnd.Tests.)
        Assert.All(events, m => Assert.NotNull(m.TraceParent));
        Assert.Equal(Calls, events.Select(m => ActivityContext.Parse(m.TraceParent!, null).TraceId).Distinct().Count());
    }

    [Fact]
    public async Task A_repeated_or_reused_request_id_in_a_burst_is_replayed_or_refused_as_one_call_at_a_time()
    {
        var request = Requests.Rifleman();
        var repeat = request.Clone();
        var reused = request.Clone();
        reused.Capture.Place = "Sumy region";
        var others = Enumerable.Range(0, 20).Select(_ => Requests.SniperInFull()).ToList();

        var calls = new[] { request, repeat, reused }.Concat(others)
            .Select(r => intake.Client.RegisterCaptureAsync(r).ResponseAsync).ToList();
        await Task.WhenAll(calls.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.All(calls.Skip(3), c => Assert.True(c.IsCompletedSuccessfully));
        Assert.Equal(others.Count, calls.Skip(3).Select(c => c.Result.Case.CaseId).Distinct().Count());
        // Whichever content came first holds the request_id: the same content again is replayed with its case, the other refused.
        var requestFirst = calls[0].IsCompletedSuccessfully || calls[1].IsCompletedSuccessfully;
        var (winners, loser) = requestFirst ? (new[] { calls[0], calls[1] }, calls[2]) : (new[] { calls[2] }, calls[0]);
        Assert.All(winners, c => Assert.True(c.IsCompletedSuccessfully));
        Assert.Single(winners.Select(c => c.Result.Case.CaseId).Distinct());
        Assert.Single(winners.Select(c => c.Result), r => !r.Replayed);
        var refused = Assert.IsType<RpcException>(loser.Exception?.InnerException);
        Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
        if (!requestFirst)
        {
            Assert.False(calls[1].IsCompletedSuccessfully);
        }

        var requestId = Guid.Parse(request.RequestId);
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == requestId)));
    }

    [Fact]
    public async Task Calls_that_queue_while_a_commit_is_held_go_in_together_in_one_transaction()
    {
        var cases = (await QueuedBehindAHeldCommitAsync(5)).Select(r => Guid.Parse(r.Case.CaseId)).ToList();
        // Queued together, committed together: one transaction.
        Assert.Equal(1, await TransactionsAsync(cases));
    }

    [Fact]
    public async Task A_caller_that_leaves_while_its_call_is_queued_is_answered_at_once_and_nothing_is_stored()
    {
        await using var hold = await HoldCasesAsync(intake);
        var first = intake.Client.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync;
        await UntilTakenAsync(hold);
        var leaving = Requests.SniperInFull();

        // Answered at its deadline while the committer is still held (for up to its 30 s bound), not when the committer comes
        // to it. (The status is the test host's: over Kestrel the caller hears DEADLINE_EXCEEDED; in memory, what the handler
        // threw at the deadline.)
        await Assert.ThrowsAsync<RpcException>(() =>
            intake.Client.RegisterCaptureAsync(leaving, deadline: DateTime.UtcNow.AddSeconds(1)).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(6)));
        Assert.False(first.IsCompleted);
        await hold.DisposeAsync();
        await first;
        // The next call commits after any batch the gone call could have joined.
        await intake.Client.RegisterCaptureAsync(Requests.Rifleman());

        var requestId = Guid.Parse(leaving.RequestId);
        Assert.Equal(0, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == requestId)));
    }

    [Fact]
    public async Task A_caller_that_leaves_after_its_call_was_taken_finds_the_case_stored_and_the_access_audit_naming_it()
    {
        await using var hold = await HoldCasesAsync(intake);
        var leaving = Requests.Rifleman();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var call = intake.Client.RegisterCaptureAsync(leaving, deadline: deadline).ResponseAsync;
        // Taken by the committer and held there past its deadline (the handler's token fires), then let go well before the
        // service's own limit (the fixture's 30 s from the take).
        await UntilTakenAsync(hold);
        var pastDeadline = deadline - DateTime.UtcNow + TimeSpan.FromSeconds(1);
        await Task.Delay(pastDeadline > TimeSpan.Zero ? pastDeadline : TimeSpan.Zero);
        // Whether the caller has heard its deadline by now is the client's and the test host's timing (a loaded machine once
        // answered it before the hold ended): what counts is that the call was taken before its caller left.
        await hold.DisposeAsync();
        // What the caller hears is the transport's (over Kestrel DEADLINE_EXCEEDED; the in-memory test host, which does not
        // end a call at its deadline, the handler's answer): not what this test is about.
        await call.ContinueWith(_ => { }, TaskScheduler.Default);

        // Its commit went on: the case is stored, and the audit row of the call names it (else a case would be stored
        // with no record of who stored it). A retry with the same request_id replays it.
        var requestId = Guid.Parse(leaving.RequestId);
        var caseId = (await Eventually.GetAsync(async () => await intake.QueryAsync(db => db.Cases.Where(c => c.RequestId == requestId).Select(c => (Guid?)c.CaseId).SingleOrDefaultAsync()) is { } id ? (object)id : null,
            TimeSpan.FromSeconds(40), "the taken call's case"));
        var audited = (int)await Eventually.GetAsync(async () => await intake.QueryAsync(db => db.Database
            .SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM access_events WHERE method LIKE '%/RegisterCapture' AND {0} = ANY(case_ids)""", caseId)
            .SingleAsync()) is > 0 and var n ? (object)n : null, TimeSpan.FromSeconds(20), "the access audit's row naming the case");
        Assert.Equal(1, audited);
        var retry = await intake.Client.RegisterCaptureAsync(leaving);
        Assert.True(retry.Replayed);
        Assert.Equal(caseId.ToString(), retry.Case.CaseId);
    }

    [Fact]
    public async Task A_batch_that_fails_as_a_whole_is_registered_call_by_call_each_in_a_transaction_of_its_own()
    {
        // A rule only the batch path breaks: a trigger refusing a statement that inserts several cases (the batch's way in,
        // a multi-row INSERT or a COPY), not one (a call alone).
        await intake.QueryAsync(db => db.Database.ExecuteSqlRawAsync("""
            CREATE FUNCTION refuse_batched_cases() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF (SELECT count(*) FROM inserted) > 1 THEN RAISE EXCEPTION 'several cases in one statement refused by the test'; END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER refuse_batched_cases AFTER INSERT ON cases REFERENCING NEW TABLE AS inserted
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_batched_cases();
            """));
        try
        {
            var responses = await QueuedBehindAHeldCommitAsync(5);
            var cases = responses.Select(r => Guid.Parse(r.Case.CaseId)).ToList();
            Assert.Equal(5, cases.Distinct().Count());
            Assert.Equal(5, await TransactionsAsync(cases));
        }
        finally
        {
            await intake.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
                "DROP TRIGGER IF EXISTS refuse_batched_cases ON cases; DROP FUNCTION IF EXISTS refuse_batched_cases()"));
        }
    }

    [Fact]
    public async Task A_value_the_database_refuses_is_internal_without_retry_advice_and_the_other_calls_of_its_batch_are_registered()
    {
        // A value validation let through and the column refused (as a name NFKC lengthened past its column once was).
        var poisoned = Requests.SniperInFull();
        poisoned.Identity.FamilyName = "Overlong";
        await using var refusal = await StoreFaults.RefuseFamilyNameAsync(await intake.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), "Overlong");

        // Queued behind a held commit with two good calls, so it reaches the database in their batch.
        RegisterCaptureRequest[] good = [Requests.SniperInFull(), Requests.SniperInFull()];
        Task<RegisterCaptureResponse> failing;
        List<Task<RegisterCaptureResponse>> passing;
        await using (var hold = await HoldCasesAsync(intake))
        {
            var first = intake.Client.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync;
            await UntilTakenAsync(hold);
            failing = intake.Client.RegisterCaptureAsync(poisoned).ResponseAsync;
            passing = good.Select(g => intake.Client.RegisterCaptureAsync(g).ResponseAsync).ToList();
            await UntilQueuedAsync(intake, 3);
            await hold.DisposeAsync();
            await first;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => failing);
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Null(error.GetRpcStatus()!.GetDetail<Google.Rpc.RetryInfo>());
        var info = error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>();
        Assert.Equal(("STORE_REFUSED_VALUE", "22001"), (info.Reason, info.Metadata["store_code"]));
        Assert.Equal(0, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == Guid.Parse(poisoned.RequestId))));
        Assert.Equal(2, (await Task.WhenAll(passing)).Select(r => r.Case.CaseId).Distinct().Count());
        // Audited as what the caller heard.
        Assert.True(await intake.QueryAsync(db => db.AccessEvents.AnyAsync(e => e.Method == "registry.intake.v1.IntakeService/RegisterCapture" && e.Outcome == "INTERNAL")));
    }

    /// <summary>
    /// Registers <paramref name="calls"/> people while the committer is held by a first call on the locked cases table (so
    /// they can only queue behind it), then lets it go: the queued calls' answers, once the first call is answered too.
    /// </summary>
    private async Task<RegisterCaptureResponse[]> QueuedBehindAHeldCommitAsync(int calls)
    {
        await using var hold = await HoldCasesAsync(intake);
        var first = intake.Client.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync;
        await UntilTakenAsync(hold);
        var queued = Enumerable.Range(0, calls).Select(_ => intake.Client.RegisterCaptureAsync(Requests.SniperInFull()).ResponseAsync).ToList();
        await UntilQueuedAsync(intake, calls);
        await hold.DisposeAsync();

        var responses = await Task.WhenAll(queued);
        await first;
        return responses;
    }

    /// <summary>How many transactions wrote <paramref name="cases"/> (each row carries its transaction's id, xmin).</summary>
    private Task<int> TransactionsAsync(IReadOnlyList<Guid> cases) => intake.QueryAsync(db => db.Database
        .SqlQueryRaw<int>("""SELECT count(DISTINCT xmin::text)::int AS "Value" FROM cases WHERE "CaseId" = ANY({0})""", cases.ToList())
        .SingleAsync());

    /// <summary>A lock on intake's cases table that holds its committer at its next registration, until disposed.</summary>
    internal static async Task<RawGrpc.TableLock> HoldCasesAsync(ServiceFixture<Grpc.IntakeGrpcService, Data.IntakeDbContext> intake) =>
        await RawGrpc.LockAsync(await intake.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), "cases");

    /// <summary>
    /// Until the committer waits on the held table with the call it took (more calls can then only queue): a session waiting
    /// on the lock with a registration's statement (the duplicate look-up alone, the request_ids' look-up in a batch), not a
    /// background job's.
    /// </summary>
    internal static Task UntilTakenAsync(RawGrpc.TableLock hold) =>
        Eventually.TrueAsync(async () => (await hold.WaitingStatementsAsync()).Any(q => q.Contains("\"LinkageFamilyBlock\"", StringComparison.Ordinal) || q.Contains("\"RequestId\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "the first call to wait on the held cases table");

    /// <summary>Until <paramref name="calls"/> wait in the batcher's queue behind the held committer.</summary>
    internal static Task UntilQueuedAsync(ServiceFixture<Grpc.IntakeGrpcService, Data.IntakeDbContext> intake, int calls) =>
        Eventually.TrueAsync(() => Task.FromResult(intake.Service.Services.GetRequiredService<Features.Registration.RegistrationBatcher>().Queued >= calls),
            TimeSpan.FromSeconds(20), $"{calls} calls to queue");

    [Theory]
    [InlineData("BatchLimit", "0")]
    [InlineData("BatchLimit", "1001")]
    [InlineData("Concurrency", "0")]
    [InlineData("Concurrency", "65")]
    public void A_batching_setting_out_of_range_stops_the_service_at_start_naming_it(string key, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{Features.Registration.RegistrationBatching.Section}:{key}"] = value })
            .Build();

        var error = Assert.Throws<InvalidConfigurationException>(() => Features.Registration.RegistrationBatching.From(configuration));

        Assert.Contains($"Intake:Registration:{key} must be between", error.Message, StringComparison.Ordinal);
        Assert.Contains($"not {value}", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Intake with <c>Intake:Registration:BatchLimit</c> 1: batching off, each RegisterCapture call a transaction of its own.</summary>
public sealed class UnbatchedIntakeFixture() : ServiceFixture<Grpc.IntakeGrpcService, Data.IntakeDbContext>("Intake")
{
    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Intake:Registration:BatchLimit"] = "1" };
}

public sealed class UnbatchedRegistrationTests(UnbatchedIntakeFixture intake) : IClassFixture<UnbatchedIntakeFixture>
{
    [Fact]
    public async Task With_a_batch_limit_of_one_concurrent_calls_commit_each_in_a_transaction_of_its_own()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => intake.Client.RegisterCaptureAsync(Requests.SniperInFull()).ResponseAsync));

        var ids = responses.Select(r => Guid.Parse(r.Case.CaseId)).ToList();
        var transactions = await intake.QueryAsync(db => db.Database
            .SqlQueryRaw<int>("""SELECT count(DISTINCT xmin::text)::int AS "Value" FROM cases WHERE "CaseId" = ANY({0})""", ids)
            .SingleAsync());
        Assert.Equal(20, transactions);
    }
}

/// <summary>An intake of its own for the shutdown test (its batcher is stopped and stays stopped).</summary>
public sealed class StoppingIntakeFixture() : ServiceFixture<Grpc.IntakeGrpcService, Data.IntakeDbContext>("Intake")
{
    public IntakeService.IntakeServiceClient Client => new(Service.Channel);
}

public sealed class RegistrationBatcherShutdownTests(StoppingIntakeFixture intake) : IClassFixture<StoppingIntakeFixture>
{
    [Fact]
    public async Task Calls_queued_when_intake_stops_are_still_registered_and_later_calls_are_told_to_retry()
    {
        var batcher = intake.Service.Services.GetRequiredService<Features.Registration.RegistrationBatcher>();
        var hold = await RegistrationBatchTests.HoldCasesAsync(intake);
        var first = intake.Client.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync;
        await RegistrationBatchTests.UntilTakenAsync(hold);
        var queued = Enumerable.Range(0, 3).Select(_ => intake.Client.RegisterCaptureAsync(Requests.SniperInFull()).ResponseAsync).ToList();
        await RegistrationBatchTests.UntilQueuedAsync(intake, 3);

        // The host's stop reaches the batcher while one commit is held and three calls wait behind it.
        var stopping = batcher.StopAsync(CancellationToken.None);
        await hold.DisposeAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        // Every queued call was answered with its case, and the cases are stored.
        var responses = await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(5));
        await first;
        var ids = responses.Select(r => Guid.Parse(r.Case.CaseId)).ToList();
        Assert.Equal(3, await intake.QueryAsync(db => db.Cases.CountAsync(c => ids.Contains(c.CaseId))));

        // A call after the stop is refused UNAVAILABLE with the advice to send it again, and stores nothing.
        var late = Requests.Rifleman();
        var refused = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(late).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("same request_id is safe to repeat", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == Guid.Parse(late.RequestId))));
    }
}

/// <summary>
/// Intake with the service's call bound (<c>Grpc:MaxUnaryCallTimeout</c>) raised to 30 s, below the test pool's 60 s wait for
/// a session: RegistrationBatchTests hold the committer on a locked table for seconds, and a held call let go must still
/// commit within the bound, on a test machine where other test processes can stall this one for seconds (a taken call ran
/// out of the production bound's 10 s there once in CI).
/// </summary>
public sealed class LongCallBoundIntakeFixture() : ServiceFixture<Grpc.IntakeGrpcService, Data.IntakeDbContext>("Intake")
{
    public IntakeService.IntakeServiceClient Client => new(Service.Channel);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Grpc:UnaryCallTimeout"] = "00:00:30",
        ["Grpc:MaxUnaryCallTimeout"] = "00:00:30",
    };
}
