using System.Diagnostics;
using Grpc.Core;
using Npgsql;
using Registry.EndToEnd.Tests.Otlp;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The caller's sampling decision holds across the bus (issue 10, row 7). A registration sent with
/// <c>traceparent: …-00</c> is recorded nowhere (W3C Trace Context: the caller did not sample it), and before, its
/// outbox publish started a new, sampled root trace that both consumers recorded.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class TraceSamplingTests(RegistryFixture registry)
{
    private IntakeService.IntakeServiceClient Intake => new(registry.GatewayChannel);
    private CaseFileService.CaseFileServiceClient CaseFiles => new(registry.GatewayChannel);

    [Fact]
    public async Task An_unsampled_registration_is_recorded_nowhere_and_a_sampled_one_is_one_trace_across_the_bus()
    {
        var unsampledTrace = ActivityTraceId.CreateRandom().ToHexString();
        var unsampled = (await Intake.RegisterCaptureAsync(SeedStory.Rifleman(), Caller(unsampledTrace, sampled: false), RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(CaseFiles, unsampled.CaseId); // published, and applied by custody and medical
        var unsampledMessage = await CaseRegisteredMessageIdAsync(unsampled.CaseId);

        // A sampled registration after it, awaited until its consumers' spans arrived: each process exports its spans in
        // the order they end, so by then any span of the unsampled one's publish or consumers would have arrived too.
        var sampledTrace = ActivityTraceId.CreateRandom().ToHexString();
        var sampled = (await Intake.RegisterCaptureAsync(SeedStory.Sniper(), Caller(sampledTrace, sampled: true), RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(CaseFiles, sampled.CaseId);
        var sampledMessage = await CaseRegisteredMessageIdAsync(sampled.CaseId);
        await Eventually.TrueAsync(() =>
        {
            var inTrace = registry.Spans.Spans.Where(s => s.TraceId == sampledTrace).ToList();
            return Task.FromResult(
                inTrace.Any(s => s.Service == "gateway")
                && inTrace.Any(s => s.Service == "intake" && s.Name == "outbox publish" && Mentions(s, sampledMessage))
                && inTrace.Any(s => s.Service == "custody" && s.Kind == ExportedSpan.ConsumerKind)
                && inTrace.Any(s => s.Service == "medical" && s.Kind == ExportedSpan.ConsumerKind));
        }, TimeSpan.FromSeconds(60), $"the sampled registration's trace {sampledTrace} from the gateway through the bus to both consumers");
        await Task.Delay(TimeSpan.FromSeconds(2)); // and one more export round of every process

        var spans = registry.Spans.Spans;
        Assert.Empty(spans.Where(s => s.TraceId == unsampledTrace).Select(Describe));
        // Nor under a trace of its own: no span anywhere names the unsampled registration's message.
        Assert.Empty(spans.Where(s => Mentions(s, unsampledMessage)).Select(Describe));
    }

    /// <summary>
    /// The database driver's spans are children of a trace, never a trace of their own: the services' background work (the
    /// outbox dispatcher, the ICRC feed's sequencer, the outbox leader's liveness check) runs statements with no activity
    /// current, and each was exported as a root span (<see cref="Registry.ServiceDefaults.Telemetry.DatabaseSpans"/>).
    /// </summary>
    [Fact]
    public async Task The_database_driver_starts_no_trace_of_its_own()
    {
        var registered = (await Intake.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case;
        await CaseFileTests.WholeCaseFileAsync(CaseFiles, registered.CaseId); // published, placed in the feed, applied
        await Eventually.TrueAsync(() => Task.FromResult(registry.Spans.Spans.Any(s => s.Scope == "Npgsql" && s.ParentSpanId.Length > 0)),
            TimeSpan.FromSeconds(30), "a statement's span in a request's trace");
        await Task.Delay(TimeSpan.FromSeconds(3)); // dispatcher and sequencer rounds (500 ms), and an export round of every process

        Assert.Empty(registry.Spans.Spans.Where(s => s.Scope == "Npgsql" && s.ParentSpanId.Length == 0).Select(Describe).Take(10));
    }

    private static Metadata Caller(string traceId, bool sampled) =>
        new() { { "traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-{(sampled ? "01" : "00")}" } };

    private static bool Mentions(ExportedSpan span, Guid messageId) =>
        span.Attributes.Values.Any(v => v.Contains(messageId.ToString("D"), StringComparison.OrdinalIgnoreCase));

    private static string Describe(ExportedSpan span) =>
        $"{span.Service} {span.Name} (trace {span.TraceId}, parent {span.ParentSpanId}): {string.Join(", ", span.Attributes.Select(a => $"{a.Key}={a.Value}"))}";

    /// <summary>The message id intake's outbox gave the case's CaseRegistered.</summary>
    private async Task<Guid> CaseRegisteredMessageIdAsync(string caseId)
    {
        await using var connection = new NpgsqlConnection(registry.IntakeDatabase);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """SELECT "MessageId" FROM outbox_messages WHERE "MessageType" LIKE '%CaseRegistered' AND "Payload" LIKE '%' || @case || '%'""", connection);
        command.Parameters.AddWithValue("case", caseId);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
