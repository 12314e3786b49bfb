using System.Net;
using System.Net.Sockets;

namespace Registry.Testing;

/// <summary>
/// Ports for test servers, taken below the kernel's ephemeral range (32768-60999 on Linux), so a port a
/// test hands to a server that it later kills and restarts cannot meanwhile be taken as the source port
/// of some outgoing connection (which is how a restarted host once failed with "address already in use").
/// </summary>
/// <remarks>
/// <para>
/// A port is reserved for the life of the test process, across processes: <c>dotnet test</c> runs the
/// test assemblies side by side, and a port one of them had found free could be found free by another in
/// the seconds before the first one's server bound it (CI once saw the identity server die on such a
/// port). The reservation is an exclusive <c>flock</c> on <c>registry-test-ports-USER/PORT.lock</c> in the
/// temporary directory (one directory per user: one that root's CI run created is not writable by a developer's run after it), taken by opening the file with <see cref="FileShare.None"/> and kept open; the
/// kernel drops it when the process ends, however it ends, so a crashed run leaves no port taken.
/// </para>
/// <para>
/// A reserved port must also be free where the services bind: Kestrel's <c>ListenAnyIP</c> binds the
/// IPv6 wildcard in dual mode (IPv4 too), which any listener on the port, on any address, blocks; a probe
/// of 127.0.0.1 alone would miss one on another address. Never the same port twice in one process.
/// </para>
/// </remarks>
public static class FreePort
{
    private const int First = 20000;
    private const int Last = 32000;
    /// <summary>Where the reservation files are: <c>registry-test-ports-USER</c> in the temporary directory.</summary>
    public static readonly string ReservationDirectory = Path.Combine(Path.GetTempPath(), $"registry-test-ports-{Environment.UserName}");
    private static readonly Dictionary<int, FileStream> Reserved = [];
    private static readonly object Gate = new();

    /// <summary>
    /// A TCP port between 20000 and 31999 that no other test process has reserved and nothing listens on,
    /// on any address, at the moment of asking; reserved for this process until it exits.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such port was found in 1,000 random tries.</exception>
    public static int Next() => Next(First, Last);

    /// <summary>
    /// As <see cref="Next()"/>, from <paramref name="first"/> (inclusive) to <paramref name="last"/> (exclusive):
    /// for a test of this class, which needs a range it controls.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such port was found in 1,000 random tries.</exception>
    public static int Next(int first, int last)
    {
        lock (Gate)
        {
            Directory.CreateDirectory(ReservationDirectory);
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(first, last);
                if (Reserved.ContainsKey(port) || TryReserve(port) is not { } reservation)
                {
                    continue;
                }

                if (!IsFree(port))
                {
                    reservation.Dispose();
                    continue;
                }

                Reserved.Add(port, reservation);
                return port;
            }
        }

        throw new InvalidOperationException($"No free TCP port from {first} to {last - 1}.");
    }

    /// <summary>The open, exclusively locked reservation file of <paramref name="port"/>, or null when another process holds it.</summary>
    private static FileStream? TryReserve(int port)
    {
        try
        {
            // On Unix, FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB) on the open file.
            return new FileStream(Path.Combine(ReservationDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // A file another user's run left behind: that port is not ours to take.
            return null;
        }
    }

    /// <summary>Whether a listener could bind <paramref name="port"/> as Kestrel's ListenAnyIP does.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            if (Socket.OSSupportsIPv6)
            {
                using var dual = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
                dual.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            }
            else
            {
                using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                v4.Bind(new IPEndPoint(IPAddress.Any, port));
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
