using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// The test runs' ports (tests/Registry.Testing/FreePort.cs): test assemblies run side by side, so a port
/// one test process reserved is never handed out by another, and a port something listens on, on any
/// address, is not handed out either (the services bind every address). CI once lost a run to an identity
/// server that could not bind its port.
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public async Task A_port_another_process_holds_the_reservation_of_is_not_handed_out_until_it_lets_go()
    {
        var port = UnusedPort();
        Directory.CreateDirectory(FreePort.ReservationDirectory);
        var holder = Process.Start(new ProcessStartInfo("flock",
            ["--nonblock", Path.Combine(FreePort.ReservationDirectory, $"{port}.lock"), "--command", "echo held; exec sleep 60"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.Equal("held", await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Throws<InvalidOperationException>(() => FreePort.Next(port, port + 1));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
        }

        Assert.Equal(port, FreePort.Next(port, port + 1));
    }

    [Fact]
    public void A_port_with_a_listener_on_another_address_than_127_0_0_1_is_not_handed_out()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.Throws<InvalidOperationException>(() => FreePort.Next(port, port + 1));
    }

    /// <summary>A port nothing listens on now, from the kernel (bound to port 0 and let go).</summary>
    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
