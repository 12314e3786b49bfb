using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// A unary call forwarded without a usable deadline gets the gateway's, a longer one is capped, a caller's
/// own shorter one is kept, and the ICRC feed's stream is left alone; so no caller can hold the service's
/// database sessions past the gateway's bound.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ForwardedDeadlineTests(RegistryFixture registry, ITestOutputHelper output)
{
    [Fact]
    public async Task A_call_without_a_deadline_gets_the_gateways_and_a_callers_own_deadline_is_kept()
    {
        // A gateway whose default deadline (100 ns) no real call can meet, to see that it is applied.
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__ForwardedCallTimeout"] = "00:00:00.0000001",
        });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var intake = new IntakeService.IntakeServiceClient(TestCallers.Operator(channel));
        var search = new SearchCasesRequest { Name = "광순", PageSize = 5 };

        // The service ends the call at the deadline: with DEADLINE_EXCEEDED, or, when the deadline passes
        // before it could answer at all, by resetting the stream, which the proxy reports as UNAVAILABLE.
        // Without the gateway's deadline the same call succeeds.
        var late = await Assert.ThrowsAsync<RpcException>(() => intake.SearchCasesAsync(search).ResponseAsync);
        Assert.Contains(late.StatusCode, new[] { StatusCode.DeadlineExceeded, StatusCode.Unavailable });

        // The caller's deadline wins over the gateway's.
        await intake.SearchCasesAsync(search, deadline: DateTime.UtcNow.AddSeconds(30));

        // The feed is a stream meant to stay open: no deadline is added to it.
        using var feed = intake.StreamNotifications(new StreamNotificationsRequest());
        await intake.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: DateTime.UtcNow.AddSeconds(30));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await feed.ResponseStream.MoveNext(timeout.Token));
    }

    /// <summary>
    /// grpc-timeout values the gRPC spec does not allow (letters, nine digits), zero, a 1 ns one (which
    /// grpc-dotnet reads as none), and a valid one of 11,415 years, each on a call that waits for the locked
    /// <c>cases</c> table. The gateway's bounds here: 3 s for none (ForwardedCallTimeout), 5 s at most.
    /// </summary>
    private static readonly string[] Unusable = ["abc", "1n", "0S", "999999999S", "99999999H", "-5S", "5 S"];

    [Fact]
    public async Task Malformed_zero_and_absurd_deadlines_end_at_the_gateways_bound_and_release_their_sessions()
    {
        await using var gateway = await StartBoundedGatewayAsync();
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var getCase = new GetCaseRequest { CaseId = Guid.NewGuid().ToString() };

        await using (var locked = await RawGrpc.LockAsync(registry.IntakeDatabase, "cases"))
        {
            // The method's path as gRPC writes it, and in other case: the services and YARP route paths without
            // regard to case, so the gateway must recognise a unary method the same way.
            var calls = Unusable.SelectMany(timeout => new[] { "/registry.intake.v1.IntakeService/GetCase", "/REGISTRY.intake.v1.intakeservice/getcase" }
                .Select(path => (Timeout: timeout, Path: path))).ToList();
            var outcomes = await Task.WhenAll(calls.Select(c => RawGrpc.UnaryAsync(http, gateway.GrpcAddress, c.Path, getCase, c.Timeout, Guard)));

            foreach (var (sent, outcome) in calls.Zip(outcomes))
            {
                output.WriteLine($"{sent.Path} grpc-timeout: {sent.Timeout} -> {outcome}");
            }

            // The service ends each call at the deadline the gateway forwarded: DEADLINE_EXCEEDED (never
            // CANCELLED: the caller did not cancel). 1n is a deadline already past, so it ends at once.
            Assert.All(calls.Zip(outcomes), c => Assert.True(c.Second.Status == StatusCode.DeadlineExceeded, $"{c.First} -> {c.Second}"));
            // Within the gateway's bound (5 s) and a loaded machine's margin; not at the service's own (10 s).
            Assert.All(calls.Zip(outcomes), c => Assert.True(c.Second.Elapsed < TimeSpan.FromSeconds(9), $"{c.First} -> {c.Second}"));
            // Their queries were cancelled, not left waiting on the lock.
            await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() == 0, TimeSpan.FromSeconds(15), "the calls' sessions to stop waiting on the lock");
        }
    }

    [Fact]
    public async Task Twenty_five_calls_with_an_unusable_deadline_on_a_locked_table_do_not_starve_an_unrelated_call()
    {
        // A bound long enough to see the calls wait on the lock, under ListOverdue's deadline. Before the
        // gateway read grpc-timeout, "abc" passed through and the calls held their sessions to the service's
        // own bound; that bound (10 s by default) is itself kept below the pool's wait (CallBoundSettingsTests),
        // so the unrelated call gets a session either way: the gateway's bound ends them sooner.
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__ForwardedCallTimeout"] = "00:00:08",
        });
        using var http = new HttpMessageInvoker(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var intake = new IntakeService.IntakeServiceClient(TestCallers.Operator(channel));

        await using var locked = await RawGrpc.LockAsync(registry.IntakeDatabase, "cases");
        // More calls than intake's pool has sessions (TestInfrastructure.MaxPoolSize, 20).
        var stuck = Enumerable.Range(0, 25).Select(_ => RawGrpc.UnaryAsync(http, gateway.GrpcAddress,
            "/registry.intake.v1.IntakeService/GetCase", new GetCaseRequest { CaseId = Guid.NewGuid().ToString() }, "abc", Guard)).ToList();
        await Eventually.TrueAsync(async () => await locked.WaitingSessionsAsync() > 0, TimeSpan.FromSeconds(30), "the calls to wait on the lock",
            () => string.Join("\n", stuck.Select(t => t.IsCompletedSuccessfully ? t.Result.ToString() : t.Status.ToString())));

        // ListOverdue reads no case: it needs only a session. Before the bound it waited for one until its deadline.
        // Its deadline is generous for a loaded CI machine, yet below the Guard: without any bound the stuck calls
        // would hold every session until the lock goes, and this call would fail.
        var overdue = await intake.ListOverdueAsync(new ListOverdueRequest { PageSize = 5 }, deadline: DateTime.UtcNow.AddSeconds(35));

        Assert.NotNull(overdue);
        Assert.All(await Task.WhenAll(stuck), o => Assert.True(o.Status == StatusCode.DeadlineExceeded, o.ToString()));
    }

    /// <summary>
    /// ImportCaptures is a bulk call (a thousand registrations' work): the gateway gives it its bulk bound
    /// (Services:MaxForwardedBulkCallTimeout, 8 s here) instead of a single call's (5 s), when no usable deadline came.
    /// </summary>
    [Fact]
    public async Task A_bulk_call_gets_the_gateways_bulk_bound_not_a_single_calls()
    {
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__ForwardedCallTimeout"] = "00:00:03",
            ["Services__MaxForwardedCallTimeout"] = "00:00:05",
            ["Services__MaxForwardedBulkCallTimeout"] = "00:00:08",
        });
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var list = new ImportCapturesRequest();
        list.Rows.Add(SeedStory.Rifleman());

        RawGrpc.Outcome outcome;
        await using (var locked = await RawGrpc.LockAsync(registry.IntakeDatabase, "cases"))
        {
            outcome = await RawGrpc.UnaryAsync(http, gateway.GrpcAddress, "/registry.intake.v1.IntakeService/ImportCaptures", list, "abc", Guard);
        }

        output.WriteLine(outcome.ToString());
        Assert.True(outcome.Status is StatusCode.DeadlineExceeded or StatusCode.Unavailable, outcome.ToString());
        Assert.InRange(outcome.Elapsed, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// A burst of calls whose callers give up after 1 to 100 ms, their bodies (up to 3 MB, each refused by intake, so nothing is
    /// stored) often still being copied when the caller resets the stream: a caller's own deadline is not the gateway's failure,
    /// so none is logged as a warning or with a stack trace (YARP logged each such race as a warning with its exception,
    /// RequestBodyClient or ResponseBodyDestination; the guard logs them at Debug). A service that cannot be reached is still a
    /// warning, with its exception.
    /// </summary>
    [Fact]
    public async Task Callers_that_give_up_mid_call_are_not_logged_as_the_gateways_failures_and_an_unreachable_service_is()
    {
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Registry.Gateway.Forwarding"] = "Debug",
        });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        var intake = new IntakeService.IntakeServiceClient(TestCallers.Operator(channel));
        var started = gateway.Output.Length;
        var random = new Random(15);
        int[] deadlines = [1, 5, 20, 100];
        var calls = Enumerable.Range(0, 240).Select(i =>
        {
            var request = SeedStory.Rifleman();
            request.RequestId = $"not-a-uuid-{i}";
            request.Identity.FamilyName = new string('Ж', i % 2 == 0 ? 100_000 : 1_500_000);
            return (Request: request, Deadline: deadlines[random.Next(deadlines.Length)]);
        }).ToList();

        var statuses = new System.Collections.Concurrent.ConcurrentBag<StatusCode>();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (call, _) =>
        {
            try
            {
                await intake.RegisterCaptureAsync(call.Request, deadline: DateTime.UtcNow.AddMilliseconds(call.Deadline));
                statuses.Add(StatusCode.OK);
            }
            catch (RpcException ex)
            {
                statuses.Add(ex.StatusCode);
            }
        });

        output.WriteLine(string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}")));
        Assert.DoesNotContain(StatusCode.OK, statuses);
        // No call of the burst was logged as a warning or with a stack trace; the guard saw them end (its Debug lines).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var burst = gateway.Output[started..];
        var lines = burst.Split('\n');
        // (Forwarding's categories only: under this burst the gateway's one-second fetch of the disabled clients from the
        // test's in-process authority may time out, a warning of its own, without a stack trace.)
        Assert.DoesNotContain(lines, l => l.StartsWith("warn: Yarp.", StringComparison.Ordinal) || l.StartsWith("fail: Yarp.", StringComparison.Ordinal)
                                          || l.StartsWith("warn: Registry.Gateway.", StringComparison.Ordinal) || l.StartsWith("fail: Registry.Gateway.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at System.", StringComparison.Ordinal) || l.TrimStart().StartsWith("at Microsoft.", StringComparison.Ordinal));
        Assert.Contains("ForwardedCallGuard", burst, StringComparison.Ordinal);

        // A service the gateway cannot reach is its failure: a warning, with the exception.
        await using var withoutMedical = await registry.StartGatewayWithoutMedicalAsync();
        using var medicalChannel = GrpcChannel.ForAddress(withoutMedical.GrpcAddress);
        var error = await Assert.ThrowsAsync<RpcException>(() => new MedicalService.MedicalServiceClient(TestCallers.Operator(medicalChannel))
            .GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = Guid.NewGuid().ToString() }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        // The caller is told what failed: not a service that ended the call (a trial read that in the old message).
        Assert.StartsWith("The service could not be reached, or its connection failed, before it answered", error.Status.Detail, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => Task.FromResult(withoutMedical.Output.Contains("answering UNAVAILABLE", StringComparison.Ordinal)), TimeSpan.FromSeconds(10),
            "the gateway's warning", () => withoutMedical.Output);
        var warning = withoutMedical.Output[withoutMedical.Output.IndexOf("warn: Registry.Gateway.Forwarding.ForwardedCallGuard", StringComparison.Ordinal)..];
        Assert.Contains("Connection refused", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// A service that accepts the connection and never answers (a hung process) does not end the call at its deadline: the
    /// gateway cuts the forward 2 s after the deadline it forwarded (1 s here) and answers DEADLINE_EXCEEDED, instead of
    /// holding the call until YARP's activity timeout (100 s, left at its default) or the caller's own longer deadline (60 s);
    /// and it warns that the service let the deadline pass (a review found it logged at Debug as a service ending the call
    /// at its deadline).
    /// </summary>
    [Fact]
    public async Task A_service_that_lets_the_deadline_pass_without_answering_is_a_warning()
    {
        using var silent = new SilentListener();
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__Medical"] = silent.Address,
            ["Services__ForwardedCallTimeout"] = "00:00:01",
            ["Services__MaxForwardedCallTimeout"] = "00:00:01",
        });
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => new MedicalService.MedicalServiceClient(TestCallers.Operator(channel))
            .GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = Guid.NewGuid().ToString() }, deadline: DateTime.UtcNow.AddSeconds(60)).ResponseAsync);
        clock.Stop();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // The gateway's answer, not the caller's own deadline (60 s): 1 s forwarded and 2 s of grace, with a loaded machine's margin.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the call ended after {clock.Elapsed}: the gateway did not cut it at its deadline");
        await Eventually.TrueAsync(() => Task.FromResult(gateway.Output.Contains("the service did not end the call at its deadline; the gateway cut it", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the gateway's warning", () => gateway.Output);
        Assert.Contains("warn: Registry.Gateway.Forwarding.ForwardedCallGuard", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The cut 2 s after the forwarded deadline is for a service that has not begun to answer: an answer begun in time is left
    /// to reach a caller that reads it slowly. Here "medical" answers at once with a 4 MB message, the forwarded deadline is
    /// 1 s, and the caller reads the answer only after 5 s (the gateway's copy waits on HTTP/2 flow control meanwhile): it
    /// gets all of it and grpc-status 0. A review found the first cut reset such a stream at 3 s.
    /// </summary>
    [Fact]
    public async Task An_answer_begun_in_time_reaches_a_caller_that_reads_it_late()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        await using var medical = builder.Build();
        const int Size = 4 * 1024 * 1024;
        medical.MapPost("/registry.medical.v1.MedicalService/GetMedicalSummary", async context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            var framed = new byte[5 + Size];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), Size);
            await context.Response.Body.WriteAsync(framed);
        });
        await medical.StartAsync();
        await using var gateway = await registry.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Services__Medical"] = $"http://127.0.0.1:{port}",
            ["Services__ForwardedCallTimeout"] = "00:00:01",
            ["Services__MaxForwardedCallTimeout"] = "00:00:01",
        });

        using var http = new HttpClient(new SocketsHttpHandler());
        var payload = Google.Protobuf.MessageExtensions.ToByteArray(new GetMedicalSummaryRequest { CaseId = Guid.NewGuid().ToString() });
        var body = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.GrpcAddress, "/registry.medical.v1.MedicalService/GetMedicalSummary"))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            await (await TestAuthority.GetAsync()).TokenAsync(TestCallers.DefaultAgency, Registry.ServiceDefaults.Security.RegistryRoles.All));
        request.Headers.TryAddWithoutValidation("te", "trailers");

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var read = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(5 + Size, read.Length);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.DoesNotContain("the gateway cut it", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>The test's own limit on a raw call: far above the gateway's bound, far below "held until the lock goes".</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(40);

    private Task<ServiceProcess> StartBoundedGatewayAsync() => registry.StartGatewayAsync(new Dictionary<string, string>
    {
        ["Services__ForwardedCallTimeout"] = "00:00:03",
        ["Services__MaxForwardedCallTimeout"] = "00:00:05",
    });
}
