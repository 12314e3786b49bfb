using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Registry.Testing;

/// <summary>
/// A TCP relay between the services and a server (the broker), which a test can cut and restore:
/// <see cref="Cut"/> drops every open connection and refuses new ones, as a broker that went down
/// would; <see cref="Restore"/> accepts again. <see cref="Freeze"/> keeps every connection open but
/// forwards nothing more, as a host that vanished without closing its connections (power loss, a
/// network partition) looks to its peers. <see cref="DropOnUse"/> refuses new connections and closes each open one when
/// its client next sends: a process that died, as a client that has not yet seen the close learns of it.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private volatile bool _frozen;
    private volatile bool _dropOnUse;

    public TcpProxy(string upstreamHost, int upstreamPort)
    {
        var address = Dns.GetHostAddresses(upstreamHost).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        _upstream = new IPEndPoint(address, upstreamPort);
        Port = FreePort.Next();
        Restore();
    }

    public int Port { get; }

    public void Restore()
    {
        if (_listener is not null)
        {
            return;
        }

        _dropOnUse = false;
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        var listener = _listener;
        _acceptLoop = Task.Run(() => AcceptAsync(listener));
    }

    /// <summary>From now on, bytes in either direction are dropped; the connections stay open.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>Ends a <see cref="Freeze"/>: the frozen connections are dropped (their streams lost bytes) and new ones relay again.</summary>
    public void Thaw()
    {
        Cut();
        _frozen = false;
        Restore();
    }

    /// <summary>
    /// From now on, new connections are refused and an open connection is closed as soon as its client sends anything (what
    /// it sent is not relayed), so the client learns of the loss only by using the connection: unlike <see cref="Cut"/>, which
    /// closes at once and lets a client notice before it sends.
    /// </summary>
    public void DropOnUse()
    {
        _dropOnUse = true;
        _listener?.Stop();
        _listener = null;
    }

    public void Cut()
    {
        _listener?.Stop();
        _listener = null;
        foreach (var client in _open.Keys)
        {
            client.Close();
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient downstream;
            try
            {
                downstream = await listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_listener != listener || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(downstream));
        }
    }

    private async Task RelayAsync(TcpClient downstream)
    {
        using var upstream = new TcpClient();
        _open[downstream] = 0;
        _open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(_upstream, _stopping.Token);
            var a = PumpAsync(downstream.GetStream(), upstream.GetStream(), fromClient: true, _stopping.Token);
            var b = PumpAsync(upstream.GetStream(), downstream.GetStream(), fromClient: false, _stopping.Token);
            await Task.WhenAny(a, b);
            if (_frozen)
            {
                // A silent host does not close anything either: the other side learns only by its own means.
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }
        }
        catch (Exception)
        {
            // A cut or a closed peer ends the relay; both sides are closed below.
        }
        finally
        {
            _open.TryRemove(downstream, out _);
            _open.TryRemove(upstream, out _);
            downstream.Close();
            upstream.Close();
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool fromClient, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, ct)) > 0)
        {
            if (_dropOnUse)
            {
                if (fromClient)
                {
                    return; // ends the relay, which closes both sides
                }
            }
            else if (!_frozen)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        Cut();
        await _acceptLoop;
    }
}
