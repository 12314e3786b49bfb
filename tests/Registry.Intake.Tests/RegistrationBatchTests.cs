using System.Diagnostics;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// Concurrent RegisterCapture calls committed together (RegistrationBatcher, issue 15): the same answers, duplicates and
/// errors as one call at a time, each event in its own caller's trace, and fewer transactions than calls.
/// </summary>
public sealed class RegistrationBatchTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
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

        var error = Assert.Throws<InvalidOperationException>(() => Features.Registration.RegistrationBatching.From(configuration));

        Assert.Contains($"Intake:Registration:{key} must be between", error.Message, StringComparison.Ordinal);
        Assert.Contains($"not {value}", error.Message, StringComparison.Ordinal);
    }
}
