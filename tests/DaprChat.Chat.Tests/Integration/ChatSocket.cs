using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Xunit;

namespace DaprChat.Chat.Tests.Integration;

/// <summary>A protocol-v1 client as the web client is one: ticket in the subprotocol, frames read into a queue.</summary>
public sealed class ChatSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonObject> _frames = Channel.CreateUnbounded<JsonObject>();
    private readonly Task _reader;
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    private ChatSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _reader = ReadAsync();
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public WebSocket Raw => _socket;

    public static async Task<ChatSocket> ConnectAsync(Uri uri, string ticket, string? origin)
    {
        var socket = Create(ticket, origin);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, timeout.Token);
        Assert.Equal("daprchat.v1", socket.SubProtocol);
        return new ChatSocket(socket);
    }

    /// <summary>The HTTP status the server refused the upgrade with.</summary>
    public static async Task<int> RefusalAsync(Uri uri, string? ticket, string? origin = ChatWorld.AllowedOrigin)
    {
        using var socket = Create(ticket, origin);
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, timeout.Token));
        Assert.True(socket.HttpStatusCode != 0, ex.Message);
        return (int)socket.HttpStatusCode;
    }

    /// <summary>Close to JSON.stringify in a browser: non-ASCII text stays raw UTF-8 (emoji are still escaped).</summary>
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame, Json));

    public Task SendMessageAsync(string clientId, string content) => SendAsync(new { v = 1, type = "send", clientId, content });

    public async Task SendTextAsync(string text) => await SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sendGate.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>The next frame of <paramref name="type"/>, skipping others (which stay unread for no one).</summary>
    /// <summary>The next two frames of the two types, in whichever order they come (a fan-out can beat the ack).</summary>
    public async Task<(JsonObject First, JsonObject Second)> NextPairAsync(string firstType, string secondType, TimeSpan? timeout = null)
    {
        JsonObject? first = null, second = null;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (first is null || second is null)
        {
            JsonObject frame;
            try
            {
                frame = await _frames.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no '{firstType}' and '{secondType}' frames arrived");
            }

            var type = frame["type"]!.GetValue<string>();
            if (type == firstType && first is null)
            {
                first = frame;
            }
            else if (type == secondType && second is null)
            {
                second = frame;
            }
        }

        return (first, second);
    }

    public async Task<JsonObject> NextAsync(string type, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var frame = await _frames.Reader.ReadAsync(cts.Token);
                if (frame["type"]!.GetValue<string>() == type)
                {
                    return frame;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no '{type}' frame arrived");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the socket closed ({CloseStatus} {CloseDescription}) before a '{type}' frame arrived");
        }
    }

    /// <summary>The next <paramref name="count"/> message frames' sequence numbers and contents.</summary>
    public async Task<List<(long Seq, string Content)>> MessagesAsync(int count, TimeSpan? timeout = null)
    {
        var messages = new List<(long, string)>();
        while (messages.Count < count)
        {
            var m = await NextAsync("message", timeout);
            messages.Add((m["seq"]!.GetValue<long>(), m["content"]!.GetValue<string>()));
        }

        return messages;
    }

    /// <summary>Waits until the server closes the socket; returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan? timeout = null)
    {
        await _reader.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
        return _socket.CloseStatus;
    }

    /// <summary>Drops the connection without a close handshake, as a phone losing its network does.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Abort();
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _sendGate.Dispose();
    }

    private static ClientWebSocket Create(string? ticket, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("daprchat.v1");
        if (ticket is not null)
        {
            socket.Options.AddSubProtocol("daprchat.ticket." + ticket);
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        return socket;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Completes the close handshake the server started, as browsers do.
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    break;
                }

                _frames.Writer.TryWrite(JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject());
            }
        }
        catch (WebSocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
