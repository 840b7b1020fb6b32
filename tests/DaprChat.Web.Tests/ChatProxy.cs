using System.Net;
using System.Net.Sockets;

namespace DaprChat.Web.Tests;

/// <summary>
/// A TCP relay in front of chat, so a test can cut the network under the browsers: <see cref="Cut"/> drops every
/// connection and refuses new ones until <see cref="Restore"/>, as a train entering a tunnel would.
/// </summary>
public sealed class ChatProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public ChatProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                // Linger 0 sends a reset: the browser sees the connection die, not a polite close.
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_cut)
            {
                incoming.Client.LingerState = new LingerOption(true, 0);
                incoming.Dispose();
                continue;
            }

            _ = RelayAsync(incoming);
        }
    }

    private async Task RelayAsync(TcpClient incoming)
    {
        var outgoing = new TcpClient();
        try
        {
            await outgoing.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            lock (_open)
            {
                _open.Add(incoming);
                _open.Add(outgoing);
            }

            using var pair = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = incoming.GetStream().CopyToAsync(outgoing.GetStream(), pair.Token);
            var down = outgoing.GetStream().CopyToAsync(incoming.GetStream(), pair.Token);
            await Task.WhenAny(up, down);
            await pair.CancelAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(incoming);
                _open.Remove(outgoing);
            }

            incoming.Dispose();
            outgoing.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
