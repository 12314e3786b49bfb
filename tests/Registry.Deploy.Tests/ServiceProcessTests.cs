using System.Net;
using System.Net.Sockets;
using Registry.ServiceDefaults.Hosting;
using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// The test harness's service processes (tests/Registry.Testing/ServiceProcess.cs): a service that dies while it starts
/// is reported as such, with its output, as soon as it has exited, not after the three minutes the harness gives a slow
/// start (CI once waited them out for an identity server that had exited at once).
/// </summary>
public sealed class ServiceProcessTests
{
    [Fact]
    public async Task A_service_that_exits_while_starting_is_reported_with_its_exit_code_and_output()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        await using var database = await infrastructure.TemporaryDatabaseAsync("harness");
        var (grpcPort, httpPort) = (FreePort.Next(), FreePort.Next());
        // The service's HTTP port is taken, as Kestrel binds it: the service cannot bind it and exits.
        using var squatter = Socket.OSSupportsIPv6
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true }
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, httpPort));
        squatter.Listen();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "Identity", Path.Combine("services", "Registry.Identity"), grpcPort, httpPort, ServiceProcess.IdentitySettings(database.ConnectionString, grpcPort, httpPort)));

        Assert.Contains("address already in use", error.Message, StringComparison.OrdinalIgnoreCase);
        var exited = Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.StartsWith("Identity exited with code ", exited.Message);
    }

    /// <summary>
    /// A service started with a setting it cannot run with stops with one line that names the setting, and exit code 2
    /// (<see cref="InvalidConfiguration"/>), whether the setting is read first (the trace sampler, in AddServiceDefaults)
    /// or by the service's own registrations (the call bound against the database pool's wait). Before, the runtime
    /// printed "Unhandled exception." with a stack trace, and the process ended on SIGABRT (134).
    /// </summary>
    [Theory]
    [InlineData("Telemetry__Tracing__SampleRatio", "10", "intake: Telemetry:Tracing:SampleRatio must be a number from 0 to 1")]
    [InlineData("Grpc__MaxUnaryCallTimeout", "00:00:15", "intake: Grpc:MaxUnaryCallTimeout (00:00:15) must be shorter than the wait for a free database session")]
    // Values the configuration binder cannot convert (read with Get<T>, and with GetValue<T>): before, a stack trace and SIGABRT.
    [InlineData("Intake__Search__MaxConcurrentNameSearches", "abc", "intake: Failed to convert configuration value 'abc' at 'Intake:Search:MaxConcurrentNameSearches' to type 'System.Int32'.")]
    [InlineData("Intake__Search__MaxConcurrentNameSearches", "2.5", "intake: Failed to convert configuration value '2.5' at 'Intake:Search:MaxConcurrentNameSearches'")]
    [InlineData("Grpc__MaxConcurrentBulkCalls", "two", "intake: Failed to convert configuration value 'two' at 'Grpc:MaxConcurrentBulkCalls'")]
    public async Task A_service_with_an_invalid_setting_stops_with_one_line_naming_it_and_exit_code_2(string key, string value, string line)
    {
        var (grpcPort, httpPort) = (FreePort.Next(), FreePort.Next());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "Intake", Path.Combine("services", "Registry.Intake"), grpcPort, httpPort, new Dictionary<string, string>
            {
                ["Ports__Grpc"] = grpcPort.ToString(),
                ["Ports__Http"] = httpPort.ToString(),
                // Never opened: the service stops before it reaches its database.
                ["ConnectionStrings__Intake"] = "Host=127.0.0.1;Database=never_opened",
                [key] = value,
            }));

        Assert.Equal($"Intake exited with code {InvalidConfiguration.ExitCode} before it was ready.", error.InnerException?.Message);
        Assert.Contains(line, error.Message);
        Assert.Contains("The service did not start.", error.Message);
        Assert.DoesNotContain("Unhandled exception", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }
}
