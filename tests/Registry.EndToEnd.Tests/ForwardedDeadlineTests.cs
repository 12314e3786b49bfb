using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;

namespace Registry.EndToEnd.Tests;

/// <summary>A unary call forwarded without a deadline gets the gateway's; a caller's own deadline and the ICRC feed's stream are left alone.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ForwardedDeadlineTests(RegistryFixture registry)
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
        var intake = new IntakeService.IntakeServiceClient(channel);
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
}
