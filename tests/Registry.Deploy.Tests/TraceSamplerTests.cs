using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using Registry.ServiceDefaults.Telemetry;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Deploy.Tests;

/// <summary>
/// Issue 15: trace sampling is OpenTelemetry's ParentBased(TraceIdRatioBased(Telemetry:Tracing:SampleRatio)), and a
/// service with no exporter starts no trace but passes the caller's trace context on.
/// </summary>
public sealed class TraceSamplerTests
{
    /// <summary>
    /// The host's own TracerProvider, built by AddRegistryTelemetry, also listening to a source of this test's alone (so
    /// no other host of the test process decides for it). The endpoint is never reached: nothing is asserted on export.
    /// </summary>
    private static async Task<(IHost Host, ActivitySource Source)> HostAsync(string? ratio, bool exporter = true)
    {
        var source = new ActivitySource($"trace-sampler-test-{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = exporter ? "http://127.0.0.1:9" : null,
            [RegistryTelemetry.SampleRatioKey] = ratio,
        });
        builder.AddRegistryTelemetry("sampler-test");
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(source.Name));
        var host = builder.Build();
        await host.StartAsync();
        return (host, source);
    }

    private static ActivityContext Parent(bool sampled) =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);

    [Fact]
    public async Task A_ratio_of_zero_records_no_root_span_and_follows_a_sampled_parent()
    {
        var (host, source) = await HostAsync("0");
        using var _ = host;

        for (var i = 0; i < 50; i++)
        {
            using var root = source.StartActivity("root");
            Assert.False(root?.IsAllDataRequested ?? false, "a root span was recorded with a ratio of 0");
            Assert.False(root?.Recorded ?? false, "a root span was sampled with a ratio of 0");
        }

        var sampledParent = Parent(sampled: true);
        using (var child = source.StartActivity("child of a sampled caller", ActivityKind.Server, sampledParent))
        {
            Assert.NotNull(child);
            Assert.True(child.IsAllDataRequested);
            Assert.True(child.Recorded);
            Assert.Equal(sampledParent.TraceId, child.TraceId);
        }

        using (var child = source.StartActivity("child of an unsampled caller", ActivityKind.Server, Parent(sampled: false)))
        {
            Assert.False(child?.IsAllDataRequested ?? false);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task The_default_ratio_records_every_root_span_and_a_fraction_keeps_about_that_share()
    {
        var (all, allSource) = await HostAsync(null);
        using (all)
        {
            for (var i = 0; i < 50; i++)
            {
                using var root = allSource.StartActivity("root");
                Assert.True(root?.IsAllDataRequested);
                Assert.True(root?.Recorded);
            }

            await all.StopAsync();
        }

        var (tenth, tenthSource) = await HostAsync("0.1");
        using (tenth)
        {
            var recorded = 0;
            for (var i = 0; i < 2000; i++)
            {
                using var root = tenthSource.StartActivity("root");
                recorded += root?.Recorded == true ? 1 : 0;
            }

            // Binomial(2000, 0.1): mean 200, standard deviation 13.4; 120..280 is six deviations either way.
            Assert.InRange(recorded, 120, 280);
            await tenth.StopAsync();
        }
    }

    [Fact]
    public async Task A_ratio_outside_zero_to_one_is_refused_at_start()
    {
        var error = await Assert.ThrowsAsync<InvalidConfigurationException>(() => HostAsync("10"));
        Assert.Contains(RegistryTelemetry.SampleRatioKey, error.Message);
    }

    [Fact]
    public async Task Without_an_exporter_no_trace_starts_but_the_context_is_carried_on()
    {
        var (host, source) = await HostAsync("1", exporter: false);
        using var _ = host;

        using (var root = source.StartActivity("root"))
        {
            Assert.False(root?.IsAllDataRequested ?? false, "a root span was recorded with no exporter");
        }

        // Under an unsampled caller: propagation-only, its trace id goes on.
        var unsampled = Parent(sampled: false);
        using (var activity = source.StartActivity("request", ActivityKind.Server, unsampled))
        {
            Assert.NotNull(activity);
            Assert.False(activity.IsAllDataRequested);
            Assert.Equal(unsampled.TraceId, activity.TraceId);
        }

        // Under a sampled caller: its trace id and sampled flag go on to the next call or message (only a recorded
        // activity keeps the flag), so a next service that exports keeps the trace whole.
        var sampled = Parent(sampled: true);
        using (var activity = source.StartActivity("request", ActivityKind.Server, sampled))
        {
            Assert.NotNull(activity);
            Assert.Equal(sampled.TraceId, activity.TraceId);
            Assert.True(activity.ActivityTraceFlags.HasFlag(ActivityTraceFlags.Recorded), "the caller's sampled flag goes on");
        }

        await host.StopAsync();
    }
}
