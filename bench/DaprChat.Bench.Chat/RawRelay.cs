using System.Collections.Concurrent;
using System.Net.WebSockets;
using DaprChat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprChat.Bench.Chat;

/// <summary>
/// The baseline: a bare Kestrel WebSocket relay. <c>/relay/{pair}</c> joins two sockets; every frame from one is sent
/// as-is to the other. No tickets, no storage, no sidecar: what a WebSocket hop on this machine costs.
/// </summary>
public sealed class RawRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    private RawRelay(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public Uri PairUri(string pair) => new($"ws://127.0.0.1:{Port}/relay/{pair}");

    public static async Task<RawRelay> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var relay = new RawRelay(app, port);
        app.UseWebSockets();
        app.Map("/relay/{pair}", relay.RelayAsync);
        await app.StartAsync();
        return relay;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task RelayAsync(HttpContext context, string pair)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var me = new Peer(socket);
        var peer = await _rooms.GetOrAdd(pair, _ => new Room()).JoinAsync(me);
        var buffer = new byte[16 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    break;
                }

                await peer.SendAsync(buffer.AsMemory(0, length));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
            // A client or its peer went away; the bench is over for this pair.
        }
        finally
        {
            me.Dispose();
        }
    }

    /// <summary>Two sockets that find each other by pair name; each waits for the other.</summary>
    private sealed class Room
    {
        private readonly TaskCompletionSource<Peer> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<Peer> _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _joined;

        public Task<Peer> JoinAsync(Peer me)
        {
            if (Interlocked.Increment(ref _joined) == 1)
            {
                _first.SetResult(me);
                return _second.Task;
            }

            _second.SetResult(me);
            return _first.Task;
        }
    }

    /// <summary>A socket with a send lock: WebSocket allows one send at a time.</summary>
    private sealed class Peer(WebSocket socket) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async Task SendAsync(ReadOnlyMemory<byte> frame)
        {
            await _gate.WaitAsync();
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();
    }
}
