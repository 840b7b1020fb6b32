using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DaprChat.Reliability;

/// <summary>
/// A loopback TCP relay between clients and one chat instance that the harness can cut: <see cref="CutAll"/> resets
/// every connection through it at once, as a dropped Wi-Fi or a dead load balancer would.
/// </summary>
public sealed class TcpCutRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<int, (TcpClient In, TcpClient Out)> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly int _target;
    private int _next;

    public TcpCutRelay(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => _pairs.Count;

    /// <summary>Resets every relayed connection (RST on both sides); new connections are accepted again at once.</summary>
    public int CutAll()
    {
        var cut = 0;
        foreach (var (id, pair) in _pairs)
        {
            if (_pairs.TryRemove(id, out _))
            {
                Reset(pair.In);
                Reset(pair.Out);
                cut++;
            }
        }

        return cut;
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        client.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => PairAsync(inbound));
        }
    }

    private async Task PairAsync(TcpClient inbound)
    {
        var outbound = new TcpClient { NoDelay = true };
        inbound.NoDelay = true;
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            Reset(inbound);
            Reset(outbound);
            return;
        }

        var id = Interlocked.Increment(ref _next);
        _pairs[id] = (inbound, outbound);
        await Task.WhenAny(PumpAsync(inbound, outbound), PumpAsync(outbound, inbound));
        if (_pairs.TryRemove(id, out _))
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var sink = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await sink.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
        _stop.Dispose();
    }
}
