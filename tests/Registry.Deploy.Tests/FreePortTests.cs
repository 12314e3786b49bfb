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
            // --close: the command (and its sleep) do not hold the lock, flock alone does, so killing it lets go at once.
            ["--nonblock", "--close", Path.Combine(FreePort.ReservationDirectory, $"{port}.lock"), "--command", "echo held; exec sleep 60"])
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
        // 127.0.0.2 is loopback on Linux (127.0.0.0/8), and a different address than the one the old probe tried.
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.Throws<InvalidOperationException>(() => FreePort.Next(port, port + 1));
    }

    /// <summary>
    /// A port of the harness's range (20000-31999) that nothing listens on now and no process holds the reservation of
    /// (a port of the kernel's ephemeral range could be taken by an outgoing connection before the test is done with it).
    /// </summary>
    private static int UnusedPort()
    {
        Directory.CreateDirectory(FreePort.ReservationDirectory);
        while (true)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using (new FileStream(Path.Combine(FreePort.ReservationDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                {
                    if (FreePort.IsFree(port))
                    {
                        return port;
                    }
                }
            }
            catch (IOException)
            {
                // Another process holds its reservation.
            }
        }
    }
}
