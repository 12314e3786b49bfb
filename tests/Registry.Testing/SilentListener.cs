using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Registry.Testing;

/// <summary>
/// A TCP listener on a free loopback port that accepts every connection and never reads or answers: a hung process, as a
/// caller or a proxy sees it. Disposing it stops listening and closes the connections it holds.
/// </summary>
public sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _held = [];

    public SilentListener()
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    _held.Add(await _listener.AcceptTcpClientAsync());
                }
                catch (Exception)
                {
                    return; // stopped
                }
            }
        });
    }

    /// <summary>Its address as a plain-HTTP URI: <c>http://127.0.0.1:port</c>.</summary>
    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Dispose()
    {
        _listener.Stop();
        foreach (var client in _held)
        {
            client.Dispose();
        }
    }
}
