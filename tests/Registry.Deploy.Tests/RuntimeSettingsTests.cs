using System.Text.Json.Nodes;

namespace Registry.Deploy.Tests;

/// <summary>
/// The .NET runtime settings every service starts with, read from the runtimeconfig.json files the build writes next to
/// each service (Directory.Build.props; docs/performance.md, "Tiered compilation and prepared statements" and "Thread pool workers that
/// spin").
/// </summary>
public sealed class RuntimeSettingsTests
{
    public static TheoryData<string> Services => new() { "Registry.Gateway", "Registry.Intake", "Registry.Custody", "Registry.Medical", "Registry.Identity", "Registry.Embedded" };

    [Theory]
    [MemberData(nameof(Services))]
    public void Services_run_with_server_gc_without_dynamic_pgo_and_without_spinning_workers(string service)
    {
        var path = Path.Combine(AppContext.BaseDirectory, $"{service}.runtimeconfig.json");
        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(true, (bool?)properties["System.GC.Server"]);
        // Dynamic PGO's instrumented tier kept a loaded 2-core machine compiling for minutes: off (System.Runtime.TieredPGO).
        Assert.Equal(false, (bool?)properties["System.Runtime.TieredPGO"]);
        // Idle thread-pool workers spinning for work took a quarter of the consumers' CPU on 2 shared cores: they block at once.
        Assert.Equal(0, (int?)properties["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]);
    }
}
