using System.Text.RegularExpressions;
using Registry.Testing;

namespace Registry.Identity.Tests;

/// <summary>
/// The authority reads the list of disabled clients it serves itself (<c>DisabledClients</c>, as every service does): the
/// authority run as its own process on real ports.
/// </summary>
public sealed class DisabledClientsListTests
{
    /// <summary>
    /// The list is first fetched once the host has started: fetched before the authority's own port listened, the first
    /// fetch failed and logged a warning at every start (c095cfa, a trial's finding). The requests' log lines show when the
    /// first fetch arrived, and no fetch failed before it.
    /// </summary>
    [Fact]
    public async Task The_authority_fetches_its_own_disabled_clients_list_from_its_start_without_a_failure()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("identity");
        var (grpcPort, httpPort) = (FreePort.Next(), FreePort.Next());
        var authority = $"http://127.0.0.1:{httpPort}/";
        var settings = ServiceProcess.IdentitySettings(database.ConnectionString, grpcPort, httpPort);
        settings["Auth__Authority"] = authority;
        settings["Auth__RequireHttpsMetadata"] = "false";
        settings["Auth__DisabledClients"] = $"{authority}registry/disabled-clients";
        // Each request's first log line ("Request starting HTTP/1.1 GET …"), to see when the first fetch arrives.
        settings["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        await using var server = await ServiceProcess.StartAsync("Identity", Path.Combine("services", "Registry.Identity"), grpcPort, httpPort, settings);

        var fetch = new Regex(@"Request starting HTTP/\S+ GET http://127\.0\.0\.1:\d+/registry/disabled-clients");
        await Eventually.TrueAsync(() => Task.FromResult(fetch.IsMatch(server.Output)), TimeSpan.FromSeconds(60), "a fetch of the list", () => server.Output);
        // Up to the first fetch that arrived: a fetch made before the port listened fails before any arrives (a later
        // fetch that times out on a loaded machine would be another matter).
        var output = server.Output;
        Assert.DoesNotContain("could not be fetched", output[..fetch.Match(output).Index], StringComparison.Ordinal);
    }
}
